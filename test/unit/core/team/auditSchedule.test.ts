// The audit log keeps the exact body and answer of each sent submission and survives a torn last line; the send
// schedule never sends automatically before the first (previewed) submission, and is due once its period passed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendAudit, nextSendAt, readAudit, TeamPinSchema } from '../../../../src/core/team';

const response = { submission_id: 's-1', accepted: [{ client_id: 'K-a1', item_id: 'k-1', status: 'waiting' as const, duplicate_of_existing: false }], rejected: [], task_statements_accepted: 0, task_statements_rejected: 0 };

test('audit entries keep the exact body; a torn line is counted, not fatal; the file is private', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'oel-audit-')), 'team', 'audit.jsonl');
  const body = '{\n  "submission_id": "s-1",\n  "items": []\n}';
  await appendAudit(path, { server: 'http://127.0.0.1:1', submission_id: 's-1', body, response });
  appendFileSync(path, '{"at": "2026-');
  await appendAudit(path, { server: 'http://127.0.0.1:1', submission_id: 's-2', body: '{}', response: { ...response, submission_id: 's-2' } });
  const { entries, unreadable } = await readAudit(path);
  // The torn line and the next entry share a line, so that whole line is unreadable; the first entry is intact.
  assert.equal(entries[0].body, body);
  assert.deepEqual(entries[0].response, response);
  assert.equal(unreadable, 1);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(await readAudit(join(path, '..', 'none.jsonl')), { entries: [], unreadable: 0 });
});

test('the schedule: manual never, nothing before the first previewed send, then due a day or a week after the last', () => {
  const now = new Date('2026-12-03T08:00:00Z');
  const last = new Date('2026-12-02T20:00:00Z');
  assert.equal(nextSendAt('manual', last, now, true), null);
  assert.equal(nextSendAt('daily', null, now, false), null);
  assert.deepEqual(nextSendAt('daily', last, now, true), new Date('2026-12-03T20:00:00Z'));
  assert.deepEqual(nextSendAt('weekly', last, now, true), new Date('2026-12-09T20:00:00Z'));
  assert.deepEqual(nextSendAt('daily', new Date('2026-11-01T00:00:00Z'), now, true), now, 'overdue is due now');
});

test('a stored pin is validated', () => {
  const ok = { url: 'http://127.0.0.1:1', key_id: '0123456789abcdef', public_key_base64: Buffer.alloc(32, 1).toString('base64'), joined_at: 'x' };
  assert.ok(TeamPinSchema.safeParse(ok).success);
  assert.ok(!TeamPinSchema.safeParse({ ...ok, public_key_base64: Buffer.alloc(31).toString('base64') }).success);
});
