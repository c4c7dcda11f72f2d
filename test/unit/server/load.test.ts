// Bounded load on loopback: 200 concurrent submitters, each acknowledged item must be present afterwards, including
// after the server is closed and the data folder reopened (acknowledged means durable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../../src/server/app';
import { call, start } from './harness';

const CLIENTS = 200;

/** A distinct item per member: pseudo-random words, so the near-duplicate merge has nothing to merge. */
function uniqueText(i: number): string {
  let x = (i + 1) * 2654435761;
  const word = () => Array.from({ length: 6 }, () => { x = (x * 1103515245 + 12345) % 2147483648; return String.fromCharCode(97 + (x % 26)); }).join('');
  return `Remember ${Array.from({ length: 8 }, word).join(' ')}.`;
}

test(`${CLIENTS} concurrent submitters lose nothing`, { timeout: 60_000 }, async () => {
  const srv = await start({ k: 2 });
  const tokens = Array.from({ length: CLIENTS }, (_, i) => srv.tokens.create('alpha', 'member', `member-${i}`).token);
  const t0 = Date.now();
  const results = await Promise.all(tokens.map((tok, i) => call(srv.url, 'POST', '/v1/submissions', tok, {
    submission_id: `load-${i}`,
    items: [
      { client_id: 'shared', text: 'Read the error message in full before changing code.' },
      { client_id: 'own', text: uniqueText(i) },
    ],
    task_statements: [`Refactor service ${i} to remove the singleton`],
  })));
  const elapsed = Date.now() - t0;
  const acked = new Set<string>();
  for (const r of results) {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const a of r.body.accepted) acked.add(a.item_id);
  }
  const cfg = srv.cfg;
  await srv.close();

  // Reopen the same data folder: everything acknowledged must be on disk.
  const again = await startServer(cfg);
  try {
    const admin = again.tokens.create('alpha', 'admin').token;
    const items = (await call(again.url, 'GET', '/v1/knowledge', admin)).body.items as Array<{ id: string; members: number; status: string }>;
    const present = new Set(items.map((i) => i.id));
    for (const id of acked) assert.ok(present.has(id), `acknowledged item ${id} missing after restart`);
    assert.equal(items.length, CLIENTS + 1, 'one shared item plus one per member');
    const shared = items.find((i) => i.members === CLIENTS);
    assert.equal(shared?.status, 'admitted');
    assert.equal(again.store.taskStatements('alpha').length, CLIENTS);
    assert.ok(elapsed < 30_000, `took ${elapsed} ms`);
  } finally {
    await again.close();
  }
});
