import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The dashboard's session cookie. The `__Host-` prefix would need `Secure`, which plain-HTTP loopback cannot set. */
export const SESSION_COOKIE = 'oel_session';

/** A session ends after this long without a request... */
export const SESSION_IDLE_MS = 15 * 60 * 1000;
/** ...and at the latest this long after sign-in, however active. */
export const SESSION_MAX_MS = 8 * 60 * 60 * 1000;
/** Sessions kept at once; past it the oldest is dropped, so a flood of sign-ins cannot grow memory without bound. */
export const MAX_SESSIONS = 10_000;

/** One signed-in browser. It remembers the token's hash, never the token, and is re-checked on every request. */
export interface Session {
  tokenHash: string;
  csrf: string;
  createdAt: number;
  lastSeen: number;
  expiresAt: number;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Dashboard sessions, in memory: a restart signs everyone out, which is the safe side. Keyed by the sha256 of the
 * cookie value, so the map itself holds nothing a browser could present.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now, private readonly idleMs = SESSION_IDLE_MS, private readonly maxMs = SESSION_MAX_MS) {}

  /** Starts a session for a token (by its hash); returns the cookie value and the session. */
  create(tokenHash: string): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    const session: Session = { tokenHash, csrf: randomBytes(32).toString('base64url'), createdAt: at, lastSeen: at, expiresAt: at + this.maxMs };
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(sha256(id), session);
    return { id, session };
  }

  /** The live session for a cookie value (and marks it used), or null when unknown, idle too long or too old. */
  touch(id: string): Session | null {
    const key = sha256(id);
    const s = this.sessions.get(key);
    if (!s) return null;
    const at = this.now();
    if (at >= s.expiresAt || at - s.lastSeen >= this.idleMs) { this.sessions.delete(key); return null; }
    s.lastSeen = at;
    return s;
  }

  /** Ends a session (sign-out, or its token was revoked). */
  delete(id: string): void {
    this.sessions.delete(sha256(id));
  }

  /** Seconds of inactivity after which a session ends. */
  get idleTimeoutSeconds(): number { return Math.round(this.idleMs / 1000); }
}

/** Compares a presented CSRF token with the session's in constant time. */
export function csrfMatches(session: Session, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of one cookie in a `Cookie` header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * The `Set-Cookie` value for a session: HttpOnly (no script reads it), SameSite=Strict (no other site's page makes
 * the browser send it), Path=/ and a Max-Age no longer than the session's own limit. `Secure` is added when the
 * request came through an HTTPS proxy; over plain HTTP a browser would drop a Secure cookie.
 */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${secure ? '; Secure' : ''}`;
}
