import { z } from 'zod';

/**
 * A team invite: one pasteable string an admin gets from `oel server admin invite` and a member pastes into "Join
 * Team Consolidation". It carries the server URL, a member token and the fingerprint (`key_id`) of the server's
 * Ed25519 signing key, so the client can pin the key it fetches against a value that came out of band (from the
 * admin), not from the server itself. Format: `oel-invite:` + base64url(JSON of {@link InviteSchema}). Documented in
 * docs/protocol.md ("Invites").
 */

/** The fixed prefix that makes an invite recognizable (and not mistaken for a bare token). */
export const INVITE_PREFIX = 'oel-invite:';

/** `key_id` as the server computes it: the first 16 hex digits of sha256 over the raw 32-byte Ed25519 public key. */
export const KeyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 lowercase hex digits');

/** A bearer token: printable ASCII without spaces, so it can never break or extend the Authorization header. */
export const TokenSchema = z.string().regex(/^[\x21-\x7e]{8,512}$/, 'must be 8-512 printable characters without spaces');

/** The server's base URL: http(s) only, no user name or password in it, no query or fragment. */
export const ServerUrlSchema = z.string().max(2048).superRefine((s, ctx) => {
  let u: URL;
  try { u = new URL(s); } catch { ctx.addIssue({ code: 'custom', message: 'is not a URL' }); return; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must start with http:// or https://' });
  if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password' });
  if (u.search || u.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a query or fragment' });
});

/** The JSON inside an invite. `v` versions the format; `team` is informational (the token decides the team). */
export const InviteSchema = z.object({
  v: z.literal(1),
  url: ServerUrlSchema,
  token: TokenSchema,
  key_id: KeyIdSchema,
  team: z.string().max(64).optional(),
}).strict();
export type Invite = z.infer<typeof InviteSchema>;

/** A server URL without trailing slashes, so `new URL('/v1/...', base)` and folder names are stable. */
export function normalizeServerUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

// base64url over UTF-8 with TextEncoder/btoa, not Buffer: the team dashboard makes invites in the browser too.
function toBase64Url(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(body: string): string {
  const bin = atob(body.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** Serializes an invite (validated first, so a bad URL or token never reaches a member). Node and browsers alike. */
export function formatInvite(invite: Invite): string {
  const checked = InviteSchema.parse(invite);
  return INVITE_PREFIX + toBase64Url(JSON.stringify({ ...checked, url: normalizeServerUrl(checked.url) }));
}

/** The outcome of {@link parseInvite}: the invite, or a message that says what is wrong with the pasted text. */
export type ParsedInvite = { ok: true; invite: Invite } | { ok: false; message: string };

/**
 * Parses pasted text as an invite. Surrounding whitespace (and line breaks a mail client inserted) is ignored; anything
 * else wrong is a message naming the problem, never an exception. The token is never echoed in a message.
 */
export function parseInvite(text: string): ParsedInvite {
  const compact = text.replace(/\s+/g, '');
  if (!compact.startsWith(INVITE_PREFIX)) return { ok: false, message: `An invite starts with '${INVITE_PREFIX}'; ask the team admin for one (oel server admin invite).` };
  const body = compact.slice(INVITE_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return { ok: false, message: 'The invite is damaged: it has characters that base64url does not use. Copy it again, whole.' };
  let json: unknown;
  try { json = JSON.parse(fromBase64Url(body)); } catch {
    return { ok: false, message: 'The invite is damaged or cut short: its content is not JSON. Copy it again, whole.' };
  }
  const parsed = InviteSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join('.') || 'invite';
    return { ok: false, message: `The invite's ${field} ${issue.message}.` };
  }
  return { ok: true, invite: { ...parsed.data, url: normalizeServerUrl(parsed.data.url) } };
}
