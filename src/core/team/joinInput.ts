/**
 * What the user pasted into "Join Team Consolidation": an invite (`oel-invite:…`, the safe path: it carries the key
 * fingerprint from the admin) or a bare server URL (the manual path: token and optional key id are asked next).
 * Pure, so every message is unit-tested.
 */
import { KeyIdSchema, parseInvite, ServerUrlSchema, TokenSchema, INVITE_PREFIX, type Invite } from '../protocol/invite';

/** The outcome of {@link parseJoinInput}. */
export type JoinInput = { kind: 'invite'; invite: Invite } | { kind: 'url'; url: string } | { kind: 'error'; message: string };

/** Reads the first input of the join command. Never echoes a token back in a message. */
export function parseJoinInput(text: unknown): JoinInput {
  if (typeof text !== 'string' || !text.trim()) return { kind: 'error', message: `Paste the invite from your team admin (${INVITE_PREFIX}…) or the server URL.` };
  const t = text.trim();
  if (t.replace(/\s+/g, '').startsWith(INVITE_PREFIX)) {
    const p = parseInvite(t);
    return p.ok ? { kind: 'invite', invite: p.invite } : { kind: 'error', message: p.message };
  }
  const url = ServerUrlSchema.safeParse(t);
  if (url.success) return { kind: 'url', url: t };
  return { kind: 'error', message: /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? `The server URL ${url.error.issues[0].message}.` : `That is neither an invite (${INVITE_PREFIX}…) nor a server URL (http:// or https://).` };
}

/** Validation message for the token box (undefined: fine). */
export function tokenProblem(text: string): string | undefined {
  return TokenSchema.safeParse(text.trim()).success ? undefined : 'The token must be 8-512 printable characters without spaces.';
}

/** Validation message for the optional key id box: empty is allowed (trust on first use, shown to compare). */
export function keyIdProblem(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  return !t || KeyIdSchema.safeParse(t).success ? undefined : 'The key id is 16 hex digits (the admin sees it in `oel server admin invite` and on the dashboard). Leave it empty to compare by eye.';
}
