// What the host accepts from the Agent view for the review features: anything else is dropped (and logged) before it
// can reach an approval or a restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../../../src/core/protocol/webview';

test('approve with the hunks the user kept; malformed hunk lists are refused', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'approve', callId: 'c1', hunks: [0, 2] }), { type: 'approve', callId: 'c1', hunks: [0, 2] });
  assert.deepEqual(parseWebviewMessage({ type: 'approve', callId: 'c1' }), { type: 'approve', callId: 'c1' });
  for (const hunks of [[-1], [1.5], ['0'], 'all', [1e9]]) assert.equal(parseWebviewMessage({ type: 'approve', callId: 'c1', hunks }), null, JSON.stringify(hunks));
});

test('restoreCheckpoint names a call, or null for the whole task', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'restoreCheckpoint', callId: null }), { type: 'restoreCheckpoint', callId: null });
  assert.deepEqual(parseWebviewMessage({ type: 'restoreCheckpoint', callId: 'c3' }), { type: 'restoreCheckpoint', callId: 'c3' });
  for (const callId of ['', undefined, 3]) assert.equal(parseWebviewMessage({ type: 'restoreCheckpoint', callId }), null, String(callId));
});
