// Dashboard sessions over real HTTP: the cookie's attributes, CSRF on every state-changing request, same-origin only,
// read-only members, revocation ending a session at its next request (from the dashboard and from the offline CLI),
// sign-in rate limits and validation, sign-out, and idle/absolute expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionResponseSchema } from '../../../src/core/protocol/consolidation';
import { SessionStore } from '../../../src/server/sessions';
import { TokenFile } from '../../../src/server/tokens';
import { call, start } from './harness';

interface Answer { status: number; headers: Headers; body: any } // eslint-disable-line @typescript-eslint/no-explicit-any

/** A request as a browser page would send it: cookie, CSRF header, JSON body. */
async function send(url: string, method: string, path: string, o: { cookie?: string; csrf?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
  if (o.cookie) headers.cookie = o.cookie;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  const res = await fetch(url + path, { method, headers, body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body) });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* empty or not JSON */ }
  return { status: res.status, headers: res.headers, body };
}

/** Signs in and returns the cookie to send back, the CSRF token and the raw Set-Cookie. */
async function signIn(url: string, token: string) {
  const r = await send(url, 'POST', '/v1/session', { body: { token } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const setCookie = r.headers.get('set-cookie') ?? '';
  const value = /^oel_session=([^;]+)/.exec(setCookie)?.[1];
  assert.ok(value, setCookie);
  return { cookie: `oel_session=${value}`, csrf: SessionResponseSchema.parse(r.body).csrf_token, setCookie, body: r.body };
}

test('sign-in sets an HttpOnly, SameSite=Strict, short-lived cookie; cookie requests need the CSRF token and the same origin', async () => {
  const srv = await start();
  try {
    const s = await signIn(srv.url, srv.admin);
    const attrs = s.setCookie.split(';').map((p) => p.trim());
    assert.ok(attrs.includes('HttpOnly') && attrs.includes('SameSite=Strict') && attrs.includes('Path=/'), s.setCookie);
    const maxAge = Number(/Max-Age=(\d+)/.exec(s.setCookie)?.[1]);
    assert.ok(maxAge > 0 && maxAge <= 8 * 3600, `Max-Age ${maxAge}`);
    assert.ok(!attrs.includes('Secure'), 'no Secure over plain HTTP (the browser would drop the cookie)');
    assert.equal(s.body.role, 'admin');
    assert.equal(s.body.team, 'alpha');
    assert.ok(!JSON.stringify(s.body).includes(srv.admin), 'the answer never echoes the token');
    // Behind a TLS proxy the cookie is Secure too.
    const proxied = await send(srv.url, 'POST', '/v1/session', { body: { token: srv.admin }, headers: { 'x-forwarded-proto': 'https' } });
    assert.match(proxied.headers.get('set-cookie') ?? '', /; Secure$/);

    const member = srv.tokens.create('alpha', 'member', 'ann').token;
    const sub = await call(srv.url, 'POST', '/v1/submissions', member, { submission_id: 's', items: [{ client_id: 'c', text: 'Run the unit tests before committing.' }] });
    const itemId = sub.body.accepted[0].item_id;

    assert.equal((await send(srv.url, 'GET', '/v1/knowledge', { cookie: s.cookie })).status, 200);
    const decide = (o: { csrf?: string; headers?: Record<string, string> }) =>
      send(srv.url, 'POST', `/v1/knowledge/${itemId}/decision`, { cookie: s.cookie, body: { decision: 'approve' }, ...o });
    const noCsrf = await decide({});
    assert.deepEqual([noCsrf.status, noCsrf.body.error.code], [403, 'csrf']);
    assert.equal((await decide({ csrf: `${s.csrf.slice(0, -1)}x` })).status, 403);
    assert.equal((await decide({ csrf: s.body.token_id })).status, 403);
    // A request from another site (the browser says so in Sec-Fetch-Site) is refused even with the right token.
    const crossSite = await decide({ csrf: s.csrf, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.deepEqual([crossSite.status, crossSite.body.error.code], [403, 'cross_site']);
    assert.equal((await send(srv.url, 'GET', '/v1/knowledge', { cookie: s.cookie, headers: { 'sec-fetch-site': 'same-site' } })).status, 403);
    assert.equal((await call(srv.url, 'GET', '/v1/knowledge', member)).body.items[0].status, 'waiting', 'nothing was decided by the refused requests');
    const ok = await decide({ csrf: s.csrf, headers: { 'sec-fetch-site': 'same-origin' } });
    assert.deepEqual([ok.status, ok.body.status], [200, 'admitted']);

    // A reloaded page asks who it is and gets the same CSRF token back.
    const who = await send(srv.url, 'GET', '/v1/session', { cookie: s.cookie });
    assert.equal(who.body.csrf_token, s.csrf);
    // A made-up cookie is nobody.
    assert.equal((await send(srv.url, 'GET', '/v1/knowledge', { cookie: 'oel_session=AAAA' })).status, 401);

    // Sign-out needs the CSRF token too, ends the session and clears the cookie.
    assert.equal((await send(srv.url, 'DELETE', '/v1/session', { cookie: s.cookie })).status, 403);
    const out = await send(srv.url, 'DELETE', '/v1/session', { cookie: s.cookie, csrf: s.csrf });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /^oel_session=; .*Max-Age=0/);
    assert.equal((await send(srv.url, 'GET', '/v1/knowledge', { cookie: s.cookie })).status, 401);
    assert.equal((await send(srv.url, 'GET', '/v1/session', { cookie: s.cookie })).status, 401);
  } finally {
    await srv.close();
  }
});

test('a member session is read-only; revoking a token ends its session at the next request', async () => {
  const srv = await start();
  try {
    const ann = srv.tokens.create('alpha', 'member', 'ann');
    const s = await signIn(srv.url, ann.token);
    assert.equal(s.body.role, 'member');
    assert.equal((await send(srv.url, 'GET', '/v1/adapters', { cookie: s.cookie })).status, 200);
    for (const [method, path, body] of [
      ['POST', '/v1/consolidations', {}], ['POST', '/v1/adapters/current', { version: 1 }], ['POST', '/v1/tokens', { role: 'admin' }],
      ['GET', '/v1/tokens', undefined], ['GET', '/v1/status', undefined],
    ] as const) {
      const r = await send(srv.url, method, path, { cookie: s.cookie, csrf: s.csrf, body });
      assert.equal(r.status, 403, `${method} ${path}: ${JSON.stringify(r.body)}`);
    }
    assert.equal(srv.tokens.listTeam('alpha').length, 2, 'the member created no token');

    // Revoked through the API by an admin: the member's very next cookie request is refused, and the cookie cleared.
    const rev = await call(srv.url, 'POST', `/v1/tokens/${ann.record.id}/revoke`, srv.admin);
    assert.equal(rev.status, 200);
    const after = await send(srv.url, 'GET', '/v1/knowledge', { cookie: s.cookie });
    assert.deepEqual([after.status, after.body.error.message], [401, 'the token of this session was revoked; sign in again']);
    assert.match(after.headers.get('set-cookie') ?? '', /Max-Age=0/);

    // Revoked offline with the CLI's TokenFile while the server runs (another process writing tokens.json).
    const bob = srv.tokens.create('alpha', 'admin', 'bob');
    const sb = await signIn(srv.url, bob.token);
    assert.equal((await send(srv.url, 'GET', '/v1/tokens', { cookie: sb.cookie })).status, 200);
    assert.ok(new TokenFile(srv.cfg.data_dir).revoke(bob.record.id));
    const gone = await send(srv.url, 'GET', '/v1/tokens', { cookie: sb.cookie });
    assert.deepEqual([gone.status, gone.body.error.message], [401, 'the token of this session was revoked; sign in again']);
    // A revoked token cannot sign in again either.
    assert.equal((await send(srv.url, 'POST', '/v1/session', { body: { token: bob.token } })).status, 401);
  } finally {
    await srv.close();
  }
});

test('sign-in is rate-limited per client address and validates its input', async () => {
  const srv = await start({ rate_limit: { burst: 3, per_second: 0.01 } });
  try {
    const wrongType = await send(srv.url, 'POST', '/v1/session', { body: JSON.stringify({ token: srv.admin }), headers: { 'content-type': 'text/plain' } });
    assert.equal(wrongType.status, 415, 'a form-encodable sign-in (login CSRF) is refused');
    const empty = await send(srv.url, 'POST', '/v1/session', { body: {} });
    assert.deepEqual([empty.status, empty.body.error.field], [400, 'token']);
    const wrong = await send(srv.url, 'POST', '/v1/session', { body: { token: 'oel_guess' } });
    assert.deepEqual([wrong.status, wrong.body.error.field], [401, 'token']);
    assert.equal(wrong.headers.get('set-cookie'), null);
    // The bucket (3) is spent: even the right token now waits, with Retry-After.
    const limited = await send(srv.url, 'POST', '/v1/session', { body: { token: srv.admin } });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(limited.headers.get('set-cookie'), null);
    // Bearer API calls keep their own per-token bucket.
    assert.equal((await call(srv.url, 'GET', '/v1/knowledge', srv.admin)).status, 200);
  } finally {
    await srv.close();
  }
});

test('a session ends after 15 idle minutes, and 8 hours after sign-in however active', () => {
  let now = 1_000_000;
  const store = new SessionStore(() => now);
  const a = store.create('hash-a');
  now += 14 * 60_000;
  assert.ok(store.touch(a.id), 'used within the idle limit');
  now += 14 * 60_000;
  assert.ok(store.touch(a.id), 'each use restarts the idle clock');
  now += 15 * 60_000;
  assert.equal(store.touch(a.id), null, 'idle too long');
  assert.equal(store.touch(a.id), null, 'and gone for good');

  const b = store.create('hash-b');
  for (let i = 0; i < 8 * 6; i++) { now += 10 * 60_000; if (i < 8 * 6 - 1) assert.ok(store.touch(b.id), `active at ${i}`); }
  assert.equal(store.touch(b.id), null, 'the absolute limit holds even for an active session');

  const c = store.create('hash-c');
  store.delete(c.id);
  assert.equal(store.touch(c.id), null);
});
