/**
 * Which role the joined token has, asked the way the protocol allows a bearer token to ask: `GET /v1/status` is an
 * admin route, so 200 means admin and 403 means member. (`GET /v1/session` answers only a dashboard cookie.) The
 * answer only decides which actions the Team view offers; the server still enforces every role. No `vscode` import.
 */
import type { TeamClient } from '../core';

/** The role of the token a client holds. */
export type TeamRole = 'admin' | 'member';

/** Asks the server which role `client`'s token has. Errors other than 403 (network, 401) are thrown to the caller. */
export async function detectRole(client: TeamClient, signal?: AbortSignal): Promise<TeamRole> {
  try {
    const res = await client.send('GET', '/v1/status', { signal });
    await res.body?.cancel();
    return 'admin';
  } catch (e) {
    if ((e as { kind?: string }).kind === 'forbidden') return 'member';
    throw e;
  }
}
