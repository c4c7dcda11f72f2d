/**
 * Joining a team: fetch the server's public key, check it against the fingerprint from the invite (which came from
 * the admin, not from the server), check that the token is accepted, and return the pin the caller stores. The token
 * itself is not part of the pin: the extension keeps it in SecretStorage.
 */
import { PublicKeyResponseSchema } from '../protocol/consolidation';
import { normalizeServerUrl, ServerUrlSchema, TokenSchema, type Invite } from '../protocol/invite';
import { keyIdOfPublicKey } from './keyId';
import { TeamClient, type TeamClientOptions, type TeamPin } from './client';
import { TeamError } from './errors';

/** What joining needs: an invite, or a URL and token typed by hand (then `key_id` is optional and shown to compare). */
export interface JoinRequest { url: string; token: string; key_id?: string }

/**
 * Joins a team and returns the pin. Refuses, with a message, a key whose fingerprint is not the invite's, a key that
 * is not a 32-byte Ed25519 key, and a token the server does not accept. Without an expected `key_id` the key is
 * trusted on first use and the caller must show `pin.key_id` for the user to compare with the admin's.
 */
export async function joinTeam(req: JoinRequest | Invite, opts: Omit<TeamClientOptions, 'pin' | 'token'> = {}): Promise<TeamPin> {
  const url = ServerUrlSchema.safeParse(req.url);
  if (!url.success) throw new TeamError('invalid', `The server URL ${url.error.issues[0].message}.`, { field: 'url' });
  if (!TokenSchema.safeParse(req.token).success) throw new TeamError('invalid', 'The token must be 8-512 printable characters without spaces.', { field: 'token' });
  const base = normalizeServerUrl(req.url);
  // A provisional client: it may only read the public key and prove the token; nothing is sent before the pin holds.
  const probe = new TeamClient({ ...opts, token: req.token, pin: { url: base, key_id: '', public_key_base64: '', joined_at: '' } });
  const pk = await probe.withRetries(() => probe.json(PublicKeyResponseSchema, 'GET', '/v1/public-key', { auth: false }));
  if (Buffer.from(pk.public_key_base64, 'base64').length !== 32) throw new TeamError('protocol', `The team server at ${base} presents a signing key that is not a 32-byte Ed25519 key.`);
  // The fingerprint is computed here, never taken from the server's own `key_id` claim.
  const keyId = keyIdOfPublicKey(pk.public_key_base64);
  if (req.key_id !== undefined && req.key_id !== keyId) {
    throw new TeamError('key_changed', `The team server at ${base} presents signing key ${keyId}, but the invite says ${req.key_id}. `
      + 'Do not join: this is not the server the admin meant, or its key changed since the invite was made. Ask the admin for a new invite.');
  }
  const pin: TeamPin = { url: base, key_id: keyId, public_key_base64: pk.public_key_base64, joined_at: new Date().toISOString() };
  // Proves the token (401 -> "ask for a new invite") without sending anything of the user's.
  await new TeamClient({ ...opts, token: req.token, pin }).currentAdapter();
  return pin;
}
