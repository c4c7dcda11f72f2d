// The Team view offers admin actions by the token's role, asked of the real server on loopback: an admin token is
// told apart from a member token, and a revoked token is an error (not silently a member).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TeamClient, type TeamPin } from '../../../src/core/team';
import { detectRole } from '../../../src/extension/team/teamRole';
import { start } from '../server/harness';

test('detectRole tells an admin token from a member token; a revoked token is refused', async () => {
  const srv = await start({ k: 1 });
  try {
    const pin: TeamPin = { url: srv.url, key_id: srv.key.keyId, public_key_base64: srv.key.publicKeyBase64, joined_at: new Date().toISOString() };
    const policy = { retries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 };
    const member = srv.tokens.create('alpha', 'member', 'ann');
    assert.equal(await detectRole(new TeamClient({ pin, token: srv.admin, policy })), 'admin');
    assert.equal(await detectRole(new TeamClient({ pin, token: member.token, policy })), 'member');
    assert.ok(srv.tokens.revoke(member.record.id));
    await assert.rejects(detectRole(new TeamClient({ pin, token: member.token, policy })), (e: Error & { kind?: string }) => e.kind === 'unauthorized');
  } finally {
    await srv.close();
  }
});
