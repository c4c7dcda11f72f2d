/**
 * The real consolidation server (`oel server`, on loopback with the tiny model) as the team e2e tests use it: an
 * invite for it (with the signing key's id read the way a client reads it), items submitted as a member would send
 * them, a round run to its release, and the join by invite in code-server (palette command, invite, confirm modal).
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { runCommand } from './browser';
import { call, waitRound } from '../unit/server/harness';
import { formatInvite } from '../../src/core/protocol/invite';
import type { RunningServer } from '../../src/server/app';

export { start as startTeamServer } from '../unit/server/harness';

/** A running test server with its bootstrap admin's token (team "alpha"). */
export type TeamServer = RunningServer & { admin: string };

/** The team every test server is bootstrapped with. */
export const TEAM = 'alpha';

/**
 * An invite to the server's team and the key id it pins: for `token` (the admin's unless given), pointing at `url`
 * (the server itself unless given, e.g. a proxy in front of it).
 */
export async function teamInvite(srv: TeamServer, o: { token?: string; url?: string } = {}): Promise<{ invite: string; keyId: string }> {
  const keyId = (await call(srv.url, 'GET', '/v1/public-key', null)).body.key_id as string;
  return { invite: formatInvite({ v: 1, url: o.url ?? srv.url, token: o.token ?? srv.admin, key_id: keyId, team: TEAM }), keyId };
}

/** Submits `items` as `token` and checks the server took the submission; returns its per-item answers. */
export async function submitItems(srv: TeamServer, token: string, submissionId: string, items: { client_id: string; text: string }[]): Promise<{ item_id: string; status: string }[]> {
  const sent = await call(srv.url, 'POST', '/v1/submissions', token, { submission_id: submissionId, items });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  return sent.body.accepted as { item_id: string; status: string }[];
}

/** Starts a round as the admin and waits until it is released (a real trainer run on the tiny model). */
export async function releaseRound(srv: TeamServer, timeoutMs = 300_000): Promise<void> {
  const round = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, {});
  assert.equal(round.status, 201, JSON.stringify(round.body));
  const done = await waitRound(srv.url, srv.admin, round.body.id, timeoutMs);
  assert.equal(done.status, 'released', JSON.stringify(done));
}

/**
 * Joins by invite in code-server: runs the Join command, pastes `invite`, waits for the confirm modal (which shows the
 * key fingerprint), lets `inspect` look at it, then clicks Join. The caller waits for the outcome it expects.
 */
export async function joinByInvite(page: Page, invite: string, inspect?: (dialog: Locator) => Promise<void>): Promise<void> {
  await runCommand(page, 'OEL Agent: Join Team Consolidation');
  const box = page.locator('.quick-input-widget input.input, .quick-input-box input').first();
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  await box.fill(invite);
  await page.keyboard.press('Enter');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  await inspect?.(dialog);
  await dialog.locator('.monaco-button', { hasText: /^Join$/ }).click();
}
