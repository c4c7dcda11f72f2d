import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../../../src/core/util/atomicWrite';

test('writeFileAtomic creates the folder, replaces the file whole and leaves no temporary file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-atomic-'));
  const path = join(dir, 'nested', 'knowledge.md');
  await writeFileAtomic(path, 'first\n');
  await writeFileAtomic(path, 'second\n');
  assert.equal(readFileSync(path, 'utf8'), 'second\n');
  assert.deepEqual(readdirSync(join(dir, 'nested')), ['knowledge.md']);
});

test('concurrent atomic writes each land whole: the file is one of them, never a mix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-atomic-'));
  const path = join(dir, 'db.json');
  const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(10_000 + i) }));
  await Promise.all(bodies.map((b) => writeFileAtomic(path, b, { mode: 0o600 })));
  assert.ok(bodies.includes(readFileSync(path, 'utf8')));
  assert.deepEqual(readdirSync(dir), ['db.json']);
});

test('writeFileAtomicSync applies the mode to a new file (private keys stay 0600)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-atomic-'));
  const path = join(dir, 'keys', 'signing.pem');
  writeFileAtomicSync(path, 'secret', { mode: 0o600 });
  assert.equal(readFileSync(path, 'utf8'), 'secret');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(dir, 'keys')), ['signing.pem']);
});
