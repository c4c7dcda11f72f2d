// The team client against the real `oel server` on loopback: joining by invite pins the key (and a replaced server
// is refused), submissions survive lost responses, 5xx, timeouts and 429 with one stable submission_id, the queue
// survives a restart, and 400/401/403/413 become messages that say what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatInvite, parseInvite } from '../../../../src/core/protocol/invite';
import {
  buildSubmission, flushQueue, joinTeam, SubmissionQueue, TeamClient, TeamError, type Anonymizer, type TeamPin, type TeamRetryNotice,
} from '../../../../src/core/team';
import { call, start, tempData } from '../../server/harness';
import { startFaultyProxy } from '../../../support/faultyProxy';

/** A stand-in for the real anonymizer (another module): replaces one planted e-mail address consistently. */
const anonymizer: Anonymizer = { anonymize: (texts) => ({ texts: texts.map((t) => t.replaceAll('ann@corp.example', '<email>')) }) };
const FAST = { retries: 4, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000 };
const ITEMS = [{ id: 'K-abc1', text: 'Run the unit tests before committing; ask ann@corp.example for access.' }, { id: 'K-abc2', text: 'Prefer small pure functions for parsing code.' }];

async function joined(url: string, token: string, keyId: string): Promise<TeamPin> {
  const inv = parseInvite(formatInvite({ v: 1, url, token, key_id: keyId }));
  assert.ok(inv.ok);
  return joinTeam(inv.invite);
}

test('join by invite pins the key; a wrong fingerprint, a bad token, and later a replaced server are refused', async () => {
  let srv = await start({ k: 1 });
  const member = srv.tokens.create('alpha', 'member', 'ann').token;
  const pin = await joined(srv.url, member, srv.key.keyId);
  assert.equal(pin.key_id, srv.key.keyId);
  assert.equal(pin.public_key_base64, srv.key.publicKeyBase64);

  await assert.rejects(joinTeam({ url: srv.url, token: member, key_id: '0000000000000000' }),
    (e: TeamError) => e.kind === 'key_changed' && /invite says 0000000000000000/.test(e.message) && e.message.includes(srv.key.keyId));
  await assert.rejects(joinTeam({ url: srv.url, token: 'oel_not-a-real-token', key_id: srv.key.keyId }),
    (e: TeamError) => e.kind === 'unauthorized' && /Ask the team admin for a new invite/.test(e.message));

  // The same address now answers with another server (another key): nothing may be sent to it.
  const port = srv.port;
  await srv.close();
  srv = await start({ k: 1, port, data_dir: tempData() });
  try {
    const queue = new SubmissionQueue(join(mkdtempSync(join(tmpdir(), 'oel-q-')), 'queue.json'));
    await queue.add(await buildSubmission({ items: ITEMS }, anonymizer));
    const client = new TeamClient({ pin, token: member, policy: FAST });
    const r = await flushQueue(client, queue);
    assert.equal(r.error?.kind, 'key_changed');
    assert.match(r.error!.message, new RegExp(`now presents signing key ${srv.key.keyId}, not the key ${pin.key_id}.*join again with a new invite`));
    assert.equal(r.remaining, 1, 'the submission stays queued');
    assert.equal((await call(srv.url, 'GET', '/v1/knowledge', srv.admin)).body.items.length, 0, 'nothing reached the other server');
  } finally {
    await srv.close();
  }
});

test('a lost response, a 503 and a timeout are retried with the same submission_id; the server stores it once', async () => {
  const srv = await start({ k: 1 });
  const proxy = await startFaultyProxy(srv.url);
  try {
    const member = srv.tokens.create('alpha', 'member', 'ann').token;
    const pin = { ...(await joined(srv.url, member, srv.key.keyId)), url: proxy.url };
    const notices: TeamRetryNotice[] = [];
    const client = new TeamClient({ pin, token: member, policy: FAST, timeoutMs: 500, onRetry: (n) => notices.push(n) });
    const draft = await buildSubmission({ items: ITEMS, taskStatements: ['Fix the login test for ann@corp.example'] }, anonymizer);
    proxy.faults.push('drop-response', { status: 503 }, 'stall');
    const res = await client.submit(draft.body);
    assert.deepEqual(notices.map((n) => n.error.kind), ['network', 'server', 'timeout']);
    const posts = proxy.requests.filter((r) => r.line === 'POST /v1/submissions');
    assert.equal(posts.length, 4);
    // Byte for byte what the preview showed, every time, with one id.
    for (const p of posts) assert.equal(p.body.toString('utf8'), draft.body);
    assert.ok(!draft.body.includes('ann@corp.example') && draft.body.includes('<email>'));
    assert.deepEqual(res.accepted.map((a) => a.client_id), ['K-abc1', 'K-abc2']);
    // The first (lost) attempt was stored; the retries got its answer and stored nothing new.
    const again = await call(srv.url, 'POST', '/v1/submissions', member, draft.body);
    assert.deepEqual(again.body, res);
    const kn = await call(srv.url, 'GET', '/v1/knowledge', srv.admin);
    assert.equal(kn.body.items.length, 2);
    assert.ok(kn.body.items.every((i: { members: number }) => i.members === 1));
  } finally {
    await proxy.close();
    await srv.close();
  }
});

test('429 waits as long as Retry-After says, not the client\'s own backoff', async () => {
  const srv = await start({ k: 1, rate_limit: { burst: 1, per_second: 1 } });
  try {
    const member = srv.tokens.create('alpha', 'member').token;
    const pin = await joined(srv.url, member, srv.key.keyId);
    const notices: TeamRetryNotice[] = [];
    const client = new TeamClient({ pin, token: member, policy: FAST, onRetry: (n) => notices.push(n) });
    await new Promise((r) => setTimeout(r, 1100)); // joining used the bucket
    await client.currentAdapter();
    const t0 = Date.now();
    await client.submit((await buildSubmission({ items: ITEMS }, anonymizer)).body);
    assert.equal(notices[0].error.kind, 'rate_limited');
    assert.equal(notices[0].delayMs, 1000, 'the server\'s Retry-After: 1, not a 20 ms backoff');
    assert.ok(Date.now() - t0 >= 950);
  } finally {
    await srv.close();
  }
});

test('the queue survives a restart: unsent while the server is down, sent after, removed only once sent', async () => {
  const srv1 = await start({ k: 1 });
  const member = srv1.tokens.create('alpha', 'member').token;
  const pin = await joined(srv1.url, member, srv1.key.keyId);
  const { port, cfg, admin } = srv1;
  await srv1.close();
  const path = join(mkdtempSync(join(tmpdir(), 'oel-q-')), 'team', 'queue.json');
  const d1 = await buildSubmission({ items: [ITEMS[0]] }, anonymizer);
  const d2 = await buildSubmission({ items: [ITEMS[1]] }, anonymizer);
  const q1 = new SubmissionQueue(path);
  await q1.add(d1);
  await q1.add(d2);
  await q1.add(d1);
  const down = await flushQueue(new TeamClient({ pin, token: member, policy: { ...FAST, retries: 1 } }), q1);
  assert.equal(down.error?.kind, 'network');
  assert.match(down.error!.message, /Cannot reach the team server .*ECONNREFUSED.*tried again later/);
  assert.equal(down.remaining, 2);

  // "Restart": a new queue object on the same file, a server restarted on its data folder.
  const q2 = new SubmissionQueue(path);
  assert.deepEqual((await q2.list()).map((q) => [q.submission_id, q.body]), [[d1.submission_id, d1.body], [d2.submission_id, d2.body]]);
  const srv2 = await start({ k: 1, port, data_dir: cfg.data_dir });
  try {
    const audit: string[] = [];
    const up = await flushQueue(new TeamClient({ pin, token: member, policy: FAST }), q2, { onSent: (e) => { audit.push(e.body); } });
    assert.equal(up.error, undefined);
    assert.deepEqual(up.sent.map((s) => s.submission_id), [d1.submission_id, d2.submission_id]);
    assert.deepEqual(audit, [d1.body, d2.body]);
    assert.deepEqual(await new SubmissionQueue(path).list(), []);
    assert.equal((await call(srv2.url, 'GET', '/v1/knowledge', admin)).body.items.length, 2);
  } finally {
    await srv2.close();
  }
});

test('400 names the field, 401/403/413 say what to do; a 413 keeps that submission and the next one still goes', async () => {
  const srv = await start({ k: 1, body_limit_bytes: 3000 });
  try {
    const member = srv.tokens.create('alpha', 'member', 'ann').token;
    const pin = await joined(srv.url, member, srv.key.keyId);
    const client = new TeamClient({ pin, token: member, policy: FAST });
    const bad = JSON.stringify({ submission_id: 'x1', items: [{ client_id: 'K-a', text: 'ok' }, { client_id: 'K-b', text: '' }] });
    await assert.rejects(client.submit(bad), (e: TeamError) => e.kind === 'invalid' && e.field === 'items.1.text' && /refused the field 'items\.1\.text'/.test(e.message));
    await assert.rejects(client.startRound(), (e: TeamError) => e.kind === 'forbidden' && /needs an admin token/.test(e.message));

    const queue = new SubmissionQueue(join(mkdtempSync(join(tmpdir(), 'oel-q-')), 'queue.json'));
    const big = await buildSubmission({ items: [1, 2].map((n) => ({ id: `K-big${n}`, text: 'x'.repeat(1900) })) }, anonymizer);
    const small = await buildSubmission({ items: [ITEMS[1]] }, anonymizer);
    await queue.add(big);
    await queue.add(small);
    const r = await flushQueue(client, queue);
    assert.equal(r.error?.kind, 'too_large');
    assert.match(r.error!.message, /Send fewer or shorter items/);
    assert.deepEqual(r.sent.map((s) => s.submission_id), [small.submission_id]);
    const left = await queue.list();
    assert.deepEqual(left.map((q) => [q.submission_id, q.attempts]), [[big.submission_id, 1]]);
    assert.match(left[0].last_error ?? '', /larger than the team server/);

    const id = srv.tokens.list().find((t) => t.member === 'ann')!.id;
    srv.tokens.revoke(id);
    await assert.rejects(client.knowledge(), (e: TeamError) => e.kind === 'unauthorized' && /revoked.*new invite/.test(e.message));
  } finally {
    await srv.close();
  }
});

test('buildSubmission refuses, by item, what the server would refuse; a damaged queue file is reported and kept', async () => {
  await assert.rejects(buildSubmission({ items: [ITEMS[0], { id: 'K-long', text: 'y'.repeat(2001) }] }, anonymizer),
    (e: TeamError) => /Cannot share item K-long: text/.test(e.message) && e.field === 'items.1.text');
  const path = join(mkdtempSync(join(tmpdir(), 'oel-q-')), 'queue.json');
  writeFileSync(path, '{"schema":"oel.team.queue/v1","pending":[{"submission_id":"a"');
  const q = new SubmissionQueue(path);
  await assert.rejects(q.list(), /queue of unsent team submissions at .* is damaged \(not JSON\)\. It was left untouched/);
  await assert.rejects(q.add(await buildSubmission({ items: [ITEMS[1]] }, anonymizer)));
  assert.equal(readFileSync(path, 'utf8'), '{"schema":"oel.team.queue/v1","pending":[{"submission_id":"a"');
});
