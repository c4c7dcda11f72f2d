// Receiving adapters from the real `oel server` after one real round on the tiny model: a good version is stored
// after every check, and a tampered one (flipped byte, manifest signed by another key, extra file, missing file) is
// refused, naming the check, while the version stored before stays intact.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterManifestSchema, type AdapterManifest } from '../../../../src/core/protocol/consolidation';
import { joinTeam, TeamClient, TeamSession } from '../../../../src/core/team';
import { pruneAdapters, receiveAdapter, serverFolderName, storedVersions, verifyStoredAdapter } from '../../../../src/core/team/adapters';
import { release } from '../../../../src/server/adapters';
import { loadOrCreateSigningKey, signManifest } from '../../../../src/server/keys';
import type { TrainerMetrics } from '../../../../src/core/protocol/trainer';
import { activateAdapter, readActiveAdapter, rollBackAdapter, StoredOnlyRuntime } from '../../../../src/core/team/runtime';
import { call, start, waitRound } from '../../server/harness';
import { startFaultyProxy } from '../../../support/faultyProxy';

let srv: Awaited<ReturnType<typeof start>>;
let client: TeamClient;
let member: string;
let v2dir: string;
let pristine: string;

before(async () => {
  // The gate is not under test here: a lenient one makes the single short round release reliably.
  srv = await start({ k: 1, gate: { min_kl_reduction: 0, max_ood_kl: 10 } });
  member = srv.tokens.create('alpha', 'member').token;
  await call(srv.url, 'POST', '/v1/submissions', member, { submission_id: 's1', items: [{ client_id: 'K-a1', text: 'Run the unit tests before committing any change.' }, { client_id: 'K-a2', text: 'Prefer small pure functions over classes for parsing code.' }] });
  const r = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, {});
  const end = await waitRound(srv.url, srv.admin, r.body.id);
  assert.equal(end.status, 'released', JSON.stringify(end));
  // Version 2: the same trained files released again through the server's own release path (a second round would
  // only cost time), so there is a "previous version" to keep while a newer one is refused.
  const v1 = srv.store.getAdapter('alpha', 1)!;
  const m1 = AdapterManifestSchema.parse(JSON.parse(readFileSync(join(v1.dir, 'manifest.json'), 'utf8')));
  const out = join(mkdtempSync(join(tmpdir(), 'oel-out-')), 'out');
  cpSync(v1.dir, out, { recursive: true });
  unlinkSync(join(out, 'manifest.json'));
  v2dir = await release({
    dataDir: srv.cfg.data_dir, team: 'alpha', version: 2, parentVersion: 1, roundId: 'r-copy', baseModelId: m1.base_model_id,
    knowledge: [], metrics: m1.metrics as unknown as TrainerMetrics, gate: m1.gate, trainerOutputDir: out, key: srv.key,
  });
  await srv.store.addAdapter({ team: 'alpha', version: 2, parent_version: 1, round_id: 'r-copy', created_at: new Date().toISOString(), dir: v2dir });
  pristine = join(mkdtempSync(join(tmpdir(), 'oel-v2-')), 'v2');
  cpSync(v2dir, pristine, { recursive: true });
  client = new TeamClient({ pin: await joinTeam({ url: srv.url, token: member, key_id: srv.key.keyId }), token: member });
});
after(async () => { await srv?.close(); });

/** A client-side adapters folder that already holds a verified version 1. */
async function rootWithV1(): Promise<string> {
  const root = join(mkdtempSync(join(tmpdir(), 'oel-adapters-')), 'adapters');
  const r = await receiveAdapter({ client, version: 1, root });
  assert.ok(r.ok, JSON.stringify(r));
  return root;
}

/** Restores the server's version 2, tampers with it, and checks version 2 is refused for `check` while 1 stays. */
async function refused(tamper: (dir: string, manifest: AdapterManifest) => void, check: string, message: RegExp): Promise<void> {
  restoreV2();
  tamper(v2dir, AdapterManifestSchema.parse(JSON.parse(readFileSync(join(v2dir, 'manifest.json'), 'utf8'))));
  const root = await rootWithV1();
  const r = await receiveAdapter({ client, version: 2, root, keep: 1 });
  assert.equal(r.ok, false, check);
  if (r.ok) return;
  assert.equal(r.check, check);
  assert.match(r.message, message);
  assert.match(r.message, /previously stored versions are unchanged/);
  const server = serverFolderName(srv.url);
  assert.deepEqual(readdirSync(join(root, server)), ['1'], 'no version 2 and no staging folder left; version 1 not pruned');
  assert.ok((await verifyStoredAdapter(join(root, server, '1'), 1, client.pin)).ok, 'version 1 is intact');
}

function restoreV2(): void {
  rmSync(v2dir, { recursive: true, force: true });
  cpSync(pristine, v2dir, { recursive: true });
}

const writeManifest = (dir: string, m: unknown) => writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));

test('a released version is downloaded, verified and stored as <server>/<version>/ with exactly its files', async () => {
  restoreV2();
  const root = await rootWithV1();
  const dir = join(root, serverFolderName(srv.url), '1');
  const m = AdapterManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  assert.deepEqual(readdirSync(dir).sort(), [...m.files.map((f) => f.name), 'manifest.json'].sort());
  assert.ok(m.files.some((f) => f.name === 'adapter_model.safetensors'));
  for (const f of m.files) assert.deepEqual(readFileSync(join(dir, f.name)), readFileSync(join(srv.store.getAdapter('alpha', 1)!.dir, f.name)));
  const again = await receiveAdapter({ client, version: 1, root });
  assert.ok(again.ok && again.alreadyStored, 'an intact stored version is not downloaded again');
  const v2 = await receiveAdapter({ client, version: 2, root, keep: 1 });
  assert.ok(v2.ok && !v2.alreadyStored);
  assert.deepEqual(await storedVersions(root, serverFolderName(srv.url)), [2], 'keep 1: version 1 pruned');
});

test('a flipped byte in a file is refused by the sha256 check, naming the file', async () => {
  await refused((dir) => {
    const p = join(dir, 'adapter_model.safetensors');
    const b = readFileSync(p);
    b[b.length - 1] ^= 0x01;
    writeFileSync(p, b);
  }, 'sha256', /sha256 of 'adapter_model\.safetensors' as downloaded is not the one signed/);
});

test('a manifest signed by another key is refused: by key id, and by signature when it claims the pinned id', async () => {
  const other = loadOrCreateSigningKey(mkdtempSync(join(tmpdir(), 'oel-evil-')));
  await refused((dir, m) => {
    const { signature: _s, ...unsigned } = m;
    writeManifest(dir, signManifest(unsigned, other));
  }, 'key', new RegExp(`signed by key ${other.keyId}, not the key ${srv.key.keyId} pinned`));
  await refused((dir, m) => {
    const { signature: _s, ...unsigned } = m;
    const forged = signManifest(unsigned, other);
    writeManifest(dir, { ...forged, signature: { ...forged.signature, key_id: srv.key.keyId } });
  }, 'signature', /signature does not verify with the pinned key/);
});

test('an extra file added to the manifest breaks its signature; an extra file in a stored folder is caught too', async () => {
  await refused((dir, m) => {
    writeFileSync(join(dir, 'extra.py'), 'print("hi")\n');
    writeManifest(dir, { ...m, files: [...m.files, { name: 'extra.py', bytes: 12, sha256: 'f'.repeat(64) }] });
  }, 'signature', /signature does not verify/);
  const root = await rootWithV1();
  const dir = join(root, serverFolderName(srv.url), '1');
  writeFileSync(join(dir, 'evil.so'), 'x');
  const v = await verifyStoredAdapter(dir, 1, client.pin);
  assert.ok(!v.ok && v.check === 'files' && /files the manifest does not list: evil\.so/.test(v.message));
  // Receiving it again replaces the damaged copy with a verified one.
  const r = await receiveAdapter({ client, version: 1, root });
  assert.ok(r.ok && !r.alreadyStored);
  assert.equal(existsSync(join(dir, 'evil.so')), false);
});

test('a file missing on the server is refused by the missing_file check', async () => {
  await refused((dir) => unlinkSync(join(dir, 'adapter_config.json')), 'missing_file', /does not have the signed file 'adapter_config\.json'/);
});

test('pruning keeps the newest N and never a protected (active) version', async () => {
  restoreV2();
  const root = join(mkdtempSync(join(tmpdir(), 'oel-adapters-')), 'adapters');
  for (const v of [1, 2]) assert.ok((await receiveAdapter({ client, version: v, root, keep: 1, protect: [1] })).ok);
  assert.deepEqual(await storedVersions(root, serverFolderName(srv.url)), [1, 2]);
  assert.deepEqual(await pruneAdapters(root, serverFolderName(srv.url), 1), [1]);
});

test('activation re-verifies the stored folder and records what the runtime answered; roll back goes to the previous kept version', async () => {
  restoreV2();
  const root = join(mkdtempSync(join(tmpdir(), 'oel-adapters-')), 'adapters');
  const server = serverFolderName(srv.url);
  for (const v of [1, 2]) assert.ok((await receiveAdapter({ client, version: v, root })).ok);
  const runtime = new StoredOnlyRuntime();
  const a2 = await activateAdapter({ root, server, version: 2, pin: client.pin, runtime });
  assert.deepEqual([a2.version, a2.taken, a2.target], [2, false, 'stored']);
  assert.match(a2.message, /version 2 is verified and stored in .*model is unchanged/);
  assert.equal(a2.base_model_id, (await call(srv.url, 'GET', '/v1/adapters/2', srv.admin)).body.base_model_id);
  assert.deepEqual(await readActiveAdapter(root, server), a2);

  const back = await rollBackAdapter({ root, server, pin: client.pin, runtime });
  assert.equal(back.version, 1);
  assert.equal((await readActiveAdapter(root, server))?.version, 1);
  await assert.rejects(rollBackAdapter({ root, server, pin: client.pin, runtime }), /No version older than 1 is kept/);

  // A stored version altered after download is not activated; the active one stays.
  const f = join(root, server, '2', 'adapter_model.safetensors');
  const b = readFileSync(f);
  b[0] ^= 0x80;
  writeFileSync(f, b);
  await assert.rejects(activateAdapter({ root, server, version: 2, pin: client.pin, runtime }), /sha256 check/);
  assert.equal((await readActiveAdapter(root, server))?.version, 1);
});

test('a session follows the server\'s current version: download, verify, activate; a tampered current version is refused and the active one stays', async () => {
  restoreV2();
  const storage = mkdtempSync(join(tmpdir(), 'oel-storage-'));
  const session = new TeamSession({ storage, pin: client.pin, token: member, runtime: new StoredOnlyRuntime(), keep: 1 });
  const setCurrent = async (v: number) => assert.equal((await call(srv.url, 'POST', '/v1/adapters/current', srv.admin, { version: v })).status, 200);
  await setCurrent(2);
  const u1 = await session.updateAdapter();
  assert.ok(u1.kind === 'activated' && u1.downloaded && u1.active.version === 2, JSON.stringify(u1));
  assert.equal((await session.updateAdapter()).kind, 'up_to_date');
  await setCurrent(1);
  const u2 = await session.updateAdapter();
  assert.ok(u2.kind === 'activated' && u2.active.version === 1);
  assert.deepEqual(await storedVersions(session.adaptersRoot, session.server), [1], 'keep 1: the no longer active version 2 was pruned');

  const p = join(v2dir, 'adapter_model.safetensors');
  const b = readFileSync(p);
  b[10] ^= 0x10;
  writeFileSync(p, b);
  await setCurrent(2);
  const u3 = await session.updateAdapter();
  assert.ok(u3.kind === 'refused' && u3.result.check === 'sha256', JSON.stringify(u3));
  assert.equal((await readActiveAdapter(session.adaptersRoot, session.server))?.version, 1);
  assert.deepEqual(await storedVersions(session.adaptersRoot, session.server), [1]);
  restoreV2();
});

test('a file download that hits a 503 or loses its connection is retried from the start of the file', async () => {
  restoreV2();
  const proxy = await startFaultyProxy(srv.url);
  try {
    const viaProxy = new TeamClient({ pin: { ...client.pin, url: proxy.url }, token: member, policy: { retries: 3, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000 } });
    proxy.faults.push('pass', { status: 503 }, 'drop-response');
    const root = join(mkdtempSync(join(tmpdir(), 'oel-adapters-')), 'adapters');
    const r = await receiveAdapter({ client: viaProxy, version: 2, root, server: 'team' });
    assert.ok(r.ok, JSON.stringify(r));
    const first = r.manifest.files[0].name;
    assert.equal(proxy.requests.filter((q) => q.line === `GET /v1/adapters/2/files/${first}`).length, 3);
    assert.ok((await verifyStoredAdapter(join(root, 'team', '2'), 2, client.pin)).ok);
  } finally {
    await proxy.close();
  }
});
