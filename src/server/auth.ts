/**
 * Who is calling: a bearer token (the extension, the CLI, scripts) or a dashboard session cookie. A session is only
 * a pointer to a token: its token is re-checked on every request, so revoking the token ends the session at its
 * next request. Cookie requests must be same-origin, and every state-changing one must carry the session's CSRF
 * token in `X-CSRF-Token` (bearer requests need none: no browser attaches a bearer token by itself).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionResponseSchema, SignInRequestSchema } from '../core/protocol/consolidation';
import { HttpError } from './http';
import { body, reply, type Deps } from './routeKit';
import { csrfMatches, readCookie, SESSION_COOKIE, sessionCookie, type Session } from './sessions';
import { hashToken, type Principal } from './tokens';

/** Methods that change nothing; every other method needs the CSRF token when a cookie authenticates it. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The header a dashboard sends its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** The caller of an authenticated request. */
export interface Caller { who: Principal; session: { id: string; data: Session } | null }

const clearCookie = (req: IncomingMessage) => sessionCookie('', 0, isHttps(req));

/** Behind a TLS-terminating proxy the cookie can be `Secure`; the header only ever makes the cookie stricter. */
function isHttps(req: IncomingMessage): boolean {
  return String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim().toLowerCase() === 'https';
}

function unauthorized(req: IncomingMessage, message: string, clear: boolean): HttpError {
  const e = new HttpError(401, 'unauthorized', message);
  if (clear) e.headers['set-cookie'] = clearCookie(req);
  return e;
}

/**
 * Browsers say where a request comes from (`Sec-Fetch-Site`); a session cookie is honoured only from the dashboard's
 * own origin. SameSite=Strict already keeps other sites' requests cookie-less; this also refuses sibling subdomains.
 */
function requireSameOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') throw new HttpError(403, 'cross_site', 'dashboard sessions accept same-origin requests only');
}

/** Resolves the caller from the Authorization header, else (or only, with `cookieOnly`) the session cookie. Throws 401/403. */
export function authenticate(req: IncomingMessage, method: string, deps: Deps, cookieOnly = false): Caller {
  const auth = req.headers.authorization;
  if (auth !== undefined && !cookieOnly) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const who = m ? deps.tokens.authenticate(m[1]) : null;
    if (!who) throw new HttpError(401, 'unauthorized', m ? 'invalid or revoked token' : 'missing bearer token');
    return { who, session: null };
  }
  const id = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!id) throw new HttpError(401, 'unauthorized', 'missing bearer token');
  requireSameOrigin(req);
  const data = deps.sessions.touch(id);
  if (!data) throw unauthorized(req, 'the session has ended; sign in again', true);
  const who = deps.tokens.authenticateHash(data.tokenHash);
  if (!who) {
    deps.sessions.delete(id);
    throw unauthorized(req, 'the token of this session was revoked; sign in again', true);
  }
  if (!SAFE_METHODS.has(method) && !csrfMatches(data, headerValue(req, CSRF_HEADER))) {
    throw new HttpError(403, 'csrf', `missing or wrong ${CSRF_HEADER} header`);
  }
  return { who, session: { id, data } };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sessionBody(deps: Deps, who: Principal, s: Session) {
  return {
    team: who.team, role: who.role, member: who.member, token_id: who.tokenId, csrf_token: s.csrf,
    expires_at: new Date(s.expiresAt).toISOString(), idle_timeout_s: deps.sessions.idleTimeoutSeconds,
  };
}

/**
 * `POST /v1/session` (sign in), `GET /v1/session` (who am I, for a reloaded page) and `DELETE /v1/session` (sign
 * out). Returns false for other paths. Sign-in is rate-limited per client address with the API's bucket settings.
 */
export async function sessionRoute(method: string, path: string, req: IncomingMessage, res: ServerResponse, deps: Deps): Promise<boolean> {
  if (path !== '/v1/session') return false;
  if (method === 'POST') {
    const wait = deps.limiter.take(`sign-in:${req.socket.remoteAddress ?? '?'}`);
    if (wait > 0) throw new HttpError(429, 'rate_limited', `too many sign-in attempts; retry in ${wait}s`, String(wait));
    requireSameOrigin(req);
    // A JSON content type cannot be sent cross-origin without a CORS preflight, which this server never grants.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'unsupported_media_type', 'sign-in needs content-type: application/json');
    const { token } = await body({ req, deps }, SignInRequestSchema);
    const who = deps.tokens.authenticate(token);
    if (!who) throw new HttpError(401, 'unauthorized', 'invalid or revoked token', 'token');
    const { id, session } = deps.sessions.create(hashToken(token));
    reply({ res }, SessionResponseSchema, sessionBody(deps, who, session), 200,
      { 'set-cookie': sessionCookie(id, (session.expiresAt - session.createdAt) / 1000, isHttps(req)) });
    return true;
  }
  if (method === 'GET' || method === 'DELETE') {
    if (!readCookie(req.headers.cookie, SESSION_COOKIE)) throw new HttpError(401, 'unauthorized', 'not signed in');
    const { who, session } = authenticate(req, method, deps, true);
    const wait = deps.limiter.take(who.tokenId);
    if (wait > 0) throw new HttpError(429, 'rate_limited', `too many requests; retry in ${wait}s`, String(wait));
    if (method === 'GET') { reply({ res }, SessionResponseSchema, sessionBody(deps, who, session!.data)); return true; }
    deps.sessions.delete(session!.id);
    res.writeHead(204, { 'set-cookie': clearCookie(req), 'cache-control': 'no-store' });
    res.end();
    return true;
  }
  throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here`);
}
