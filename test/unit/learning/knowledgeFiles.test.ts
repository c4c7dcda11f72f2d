import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKnowledgeForStats, MAX_KNOWLEDGE_BYTES } from '../../../src/core/learning/knowledgeFiles';
import { countStatuses } from '../../../src/core/learning/knowledgeStats';

const FILE = '# OEL knowledge\n\n- K-aaaa1111 [accepted] Read the failing test first.\n';
const SECRET = '# elsewhere\n\n- K-secr3t00 [accepted] a line from a file outside the workspace\n';

function setup() {
  const base = mkdtempSync(join(tmpdir(), 'oel-learning-kf-'));
  const ws = join(base, 'ws');
  mkdirSync(join(ws, '.oel'), { recursive: true });
  const user = join(base, 'user-knowledge.md');
  return { base, ws, user };
}

test('reads the workspace file and the user file, workspace first', async () => {
  const { ws, user } = setup();
  writeFileSync(join(ws, '.oel', 'knowledge.md'), FILE);
  writeFileSync(user, '- K-uuuu2222 [pending] Prefer small commits.\n');
  const docs = await readKnowledgeForStats({ workspaceRoot: ws, userFile: user });
  assert.equal(docs.length, 2);
  assert.deepEqual(countStatuses(docs), { pending: 1, accepted: 1, pinned: 0, inactive: 0, pruned: 0, absorbed: 0, flagged: 0 });
  assert.deepEqual(await readKnowledgeForStats({ workspaceRoot: join(ws, 'missing'), userFile: null }), []);
});

test('a repository whose .oel/knowledge.md (or .oel folder) links outside the workspace is not read', async () => {
  const { base, ws } = setup();
  const outside = join(base, 'outside.md');
  writeFileSync(outside, SECRET);
  symlinkSync(outside, join(ws, '.oel', 'knowledge.md'));
  const warnings: string[] = [];
  assert.deepEqual(await readKnowledgeForStats({ workspaceRoot: ws, userFile: null, warn: (m) => warnings.push(m) }), []);
  assert.match(warnings.join('\n'), /outside the workspace/);

  const ws2 = join(base, 'ws2');
  mkdirSync(join(base, 'elsewhere'));
  writeFileSync(join(base, 'elsewhere', 'knowledge.md'), SECRET);
  mkdirSync(ws2);
  symlinkSync(join(base, 'elsewhere'), join(ws2, '.oel'));
  assert.deepEqual(await readKnowledgeForStats({ workspaceRoot: ws2, userFile: null, warn: () => {} }), []);
});

test('a FIFO or an oversized file is left out instead of hanging or filling memory', { skip: process.platform === 'win32' }, async () => {
  const { ws, user } = setup();
  execFileSync('mkfifo', [join(ws, '.oel', 'knowledge.md')]);
  writeFileSync(user, Buffer.alloc(MAX_KNOWLEDGE_BYTES + 1, 0x61));
  const warnings: string[] = [];
  assert.deepEqual(await readKnowledgeForStats({ workspaceRoot: ws, userFile: user, warn: (m) => warnings.push(m) }), []);
  assert.match(warnings.join('\n'), /not a regular file/);
  assert.match(warnings.join('\n'), /larger than/);
});
