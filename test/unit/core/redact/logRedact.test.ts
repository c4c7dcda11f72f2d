import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactForLog } from '../../../../src/core/redact/redact';

test('a rejected message is logged without the secrets it carries, known or recognised', () => {
  const key = 'sk-user-configured-key-0123456789';
  const raw = { type: 'send', text: `use ${key} and ghp_abcdefghijklmnopqrstuvwxyz0123456789 please` };
  const line = redactForLog(raw, [key]);
  assert.ok(!line.includes(key), line);
  assert.ok(!line.includes('ghp_abcdefghijklmnopqrstuvwxyz0123456789'), line);
  assert.match(line, /"type":"send"/);
});

test('redaction happens before the cut, so no prefix of a secret survives at the edge', () => {
  const secret = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
  // The cut at 40 characters falls inside the token: cutting first would leave "ghp_abcdefghijklm…", unredacted.
  const raw = { t: `${'x'.repeat(16)} ${secret}` };
  const line = redactForLog(raw, [], 40);
  assert.ok(!line.includes('ghp_abc'), line);
  assert.match(line, /… \(\d+ chars\)$/);
});

test('values JSON cannot render are still logged', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(redactForLog(cyclic), '[object Object]');
  assert.equal(redactForLog(undefined), 'undefined');
});
