// Request edges over real HTTP: body limits, validation errors that name the field, path traversal, idempotent
// resubmission, rate limiting, caps and what members may see of items that are not k-anonymous yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { call, start } from './harness';

test('oversized bodies get 413, by Content-Length and when chunked', async () => {
  const srv = await start({ body_limit_bytes: 4096 });
  try {
    const m = srv.tokens.create('alpha', 'member').token;
    const big = JSON.stringify({ submission_id: 'big', items: [{ client_id: 'x', text: 'y'.repeat(5000) }] });
    const r = await call(srv.url, 'POST', '/v1/submissions', m, big);
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'body_too_large');
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${srv.url}/v1/submissions`, { method: 'POST', headers: { authorization: `Bearer ${m}`, 'transfer-encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      for (let i = 0; i < 8; i++) req.write('x'.repeat(1024));
      req.end();
    });
    assert.equal(chunked, 413);
    // Nothing of it was stored, and the server still answers.
    assert.equal((await call(srv.url, 'GET', '/v1/knowledge', m)).body.items.length, 0);
  } finally {
    await srv.close();
  }
});

test('malformed JSON and invalid fields get 400 naming the field', async () => {
  const srv = await start();
  try {
    const m = srv.tokens.create('alpha', 'member').token;
    const bad = await call(srv.url, 'POST', '/v1/submissions', m, '{"submission_id": ');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'bad_json');
    const cases: Array<[unknown, string]> = [
      [{ items: [] }, 'submission_id'],
      [{ submission_id: 'a b/c', items: [] }, 'submission_id'],
      [{ submission_id: 'ok', items: [{ client_id: 'c' }] }, 'items.0.text'],
      [{ submission_id: 'ok', items: [{ client_id: 'c', text: 'fine text' }, { client_id: 'd', text: '' }] }, 'items.1.text'],
      [{ submission_id: 'ok', items: [], task_statements: [42] }, 'task_statements.0'],
    ];
    for (const [body, field] of cases) {
      const r = await call(srv.url, 'POST', '/v1/submissions', m, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.field, field, JSON.stringify(r.body));
      assert.ok(r.body.error.message.startsWith(field));
    }
    const adminBad = await call(srv.url, 'POST', '/v1/adapters/current', srv.admin, { version: 'one' });
    assert.deepEqual([adminBad.status, adminBad.body.error.field], [400, 'version']);
    assert.equal((await call(srv.url, 'DELETE', '/v1/knowledge', m)).status, 405);
    assert.equal((await call(srv.url, 'GET', '/v1/nothing-here', m)).status, 404);
  } finally {
    await srv.close();
  }
});

test('path traversal in adapter file names is refused', async () => {
  const srv = await start();
  try {
    const m = srv.tokens.create('alpha', 'member').token;
    for (const name of ['..%2F..%2Fdb.json', '..%2Fkeys%2Fsigning-ed25519.pem', '.hidden', 'manifest.json', '%2Fetc%2Fpasswd']) {
      const r = await call(srv.url, 'GET', `/v1/adapters/1/files/${name}`, m);
      assert.equal(r.status, 400, name);
      assert.equal(r.body.error.field, 'name');
    }
    // Dot segments are resolved by URL parsing before routing, so they never reach a handler.
    const raw = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: srv.port, path: '/v1/adapters/1/files/../../../keys/signing-ed25519.pem', headers: { authorization: `Bearer ${m}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject).end();
    });
    assert.equal(raw, 404);
  } finally {
    await srv.close();
  }
});

test('resubmitting the same submission id is idempotent', async () => {
  const srv = await start({ k: 2 });
  try {
    const m = srv.tokens.create('alpha', 'member', 'ann').token;
    const body = { submission_id: 'same-1', items: [{ client_id: 'i1', text: 'Use feature flags for risky changes.' }], task_statements: ['Ship the new billing page'] };
    const first = await call(srv.url, 'POST', '/v1/submissions', m, body);
    const results = await Promise.all([1, 2, 3].map(() => call(srv.url, 'POST', '/v1/submissions', m, body)));
    for (const r of results) assert.deepEqual(r, first);
    const items = (await call(srv.url, 'GET', '/v1/knowledge', srv.admin)).body.items;
    assert.equal(items.length, 1);
    assert.equal(items[0].members, 1);
    assert.deepEqual(srv.store.taskStatements('alpha'), ['Ship the new billing page']);
  } finally {
    await srv.close();
  }
});

test('waiting items are visible only to their submitters and admins; admins approve and reject', async () => {
  const srv = await start({ k: 3, caps: { items_per_member_per_round: 2 } });
  try {
    const ann = srv.tokens.create('alpha', 'member', 'ann').token;
    const bob = srv.tokens.create('alpha', 'member', 'bob').token;
    const s = await call(srv.url, 'POST', '/v1/submissions', ann, { submission_id: 's1', items: [
      { client_id: 'a', text: 'Check the changelog before upgrading.' },
      { client_id: 'b', text: 'Write migrations that can be rolled back.' },
      { client_id: 'c', text: 'A third item beyond the cap.' },
      { client_id: 'a', text: 'duplicate client id' },
    ] });
    assert.deepEqual(s.body.rejected.map((r: { reason: string }) => r.reason.split(':')[0]), ['cap', 'duplicate client_id in this submission']);
    assert.equal((await call(srv.url, 'GET', '/v1/knowledge', ann)).body.items.length, 2);
    assert.equal((await call(srv.url, 'GET', '/v1/knowledge', bob)).body.items.length, 0);
    const [first, second] = s.body.accepted.map((a: { item_id: string }) => a.item_id);
    assert.equal((await call(srv.url, 'POST', `/v1/knowledge/${first}/decision`, srv.admin, { decision: 'approve' })).body.status, 'admitted');
    assert.equal((await call(srv.url, 'POST', `/v1/knowledge/${second}/decision`, srv.admin, { decision: 'reject' })).body.status, 'rejected');
    const bobView = (await call(srv.url, 'GET', '/v1/knowledge', bob)).body;
    assert.equal(bobView.k, 3);
    assert.deepEqual(bobView.items.map((i: { status: string }) => i.status).sort(), ['admitted', 'rejected']);
  } finally {
    await srv.close();
  }
});

test('too many requests per token get 429 with Retry-After; other tokens are unaffected', async () => {
  const srv = await start({ rate_limit: { burst: 5, per_second: 1 } });
  try {
    const m = srv.tokens.create('alpha', 'member').token;
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await call(srv.url, 'GET', '/v1/knowledge', m)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    const res = await fetch(`${srv.url}/v1/knowledge`, { headers: { authorization: `Bearer ${m}` } });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.equal((await call(srv.url, 'GET', '/v1/knowledge', srv.admin)).status, 200);
  } finally {
    await srv.close();
  }
});
