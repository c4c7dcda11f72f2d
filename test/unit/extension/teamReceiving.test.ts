// The Team view's content and the receiving side's messages, as the user reads them: live round progress and gate
// verdicts, which version is current on the server and active here, admin actions offered only on an admin token
// (checked against package.json's menus), hostile server text kept to one line, and update/roll-back messages that
// say whether absorbed knowledge left the prompt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ActiveAdapter, Consolidation, TeamItem } from '../../../src/extension/core';
import { isRunning, releaseNotice, roundDescription, teamTree, type TeamNode, type TeamSnapshot } from '../../../src/extension/team/teamModel';
import { activationSummary, updateSummary } from '../../../src/extension/team/receiveMessages';
import { absorbedLabel, itemDescription } from '../../../src/extension/knowledge/presentation';
import { item } from '../knowledge/helpers';

interface MenuEntry { command: string; when: string; group?: string }
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { menus: Record<string, MenuEntry[]>; viewsWelcome: { view: string; contents: string; when?: string }[] } };

/** Evaluates the clauses package.json uses on the Team view: `view ==`, `viewItem ==`, `viewItem =~ /re/`, context keys. */
function when(clause: string, ctx: Record<string, string | boolean>): boolean {
  return clause.split('&&').map((c) => c.trim()).every((c) => {
    let m = /^(\S+) == (\S+)$/.exec(c);
    if (m) return ctx[m[1]] === m[2];
    m = /^viewItem =~ \/(.+)\/$/.exec(c);
    if (m) return new RegExp(m[1]).test(String(ctx.viewItem));
    m = /^(!?)([\w.]+)$/.exec(c);
    if (m) return Boolean(ctx[m[2]]) !== (m[1] === '!');
    throw new Error(`when clause this test cannot read: ${c}`);
  });
}

/** Inline actions of a Team view node with this context value. */
const inline = (viewItem: string | undefined, admin: boolean) => pkg.contributes.menus['view/item/context']
  .filter((m) => m.command.startsWith('oel.team.') && (m.group ?? '').startsWith('inline'))
  .filter((m) => when(m.when, { view: 'oel.teamView', viewItem: viewItem ?? '', 'oel.team.admin': admin, 'oel.team.joined': true }))
  .map((m) => m.command).sort();

const titleActions = (admin: boolean, joined = true) => pkg.contributes.menus['view/title']
  .filter((m) => when(m.when, { view: 'oel.teamView', 'oel.team.admin': admin, 'oel.team.joined': joined }))
  .map((m) => m.command);

const gate = { passed: true, heldout_kl_before: 0.5, heldout_kl_after: 0.4, kl_reduction: 0.2, min_kl_reduction: 0.02, ood_kl_new_vs_prev: 0.01, max_ood_kl: 0.5, reasons: [] };
function round(over: Partial<Consolidation>): Consolidation {
  return {
    id: 'c-1234567890abcdef', status: 'training', created_at: '2026-12-03T10:00:00Z', updated_at: '2026-12-03T10:00:05Z', parent_version: null,
    knowledge_ids: ['k-1'], progress: { step: 3, total_steps: 6, kl: 0.123456 }, params: { steps: 6, lr: 0.001, min_kl_reduction: 0.02, max_ood_kl: 0.5 },
    kl_curve: [[1, 0.2], [2, 0.15], [3, 0.123456]], gate: null, adapter_version: null, message: null, attempts: 1, ...over,
  };
}
const teamItem = (id: string, status: TeamItem['status'], text = 'Run the unit tests before committing.'): TeamItem =>
  ({ id, text, status, members: 1, decided_by_admin: false, first_seen: '2026-12-03T09:00:00Z', last_seen: '2026-12-03T09:00:00Z', merged: [], flags: [] });
const active = (over: Partial<ActiveAdapter> = {}): ActiveAdapter =>
  ({ version: 2, base_model_id: 'tiny', taken: true, target: 'vllm', message: 'loaded as oel-v2', activated_at: '2026-12-03T10:10:00Z', ...over });

function snapshot(over: Partial<TeamSnapshot> = {}): TeamSnapshot {
  return {
    server: 'http://127.0.0.1:8787', role: 'member',
    knowledge: { k: 2, items: [teamItem('k-1', 'admitted'), teamItem('k-2', 'waiting', 'Prefer small pure functions.')] },
    rounds: [round({ id: 'c-2' }), round({ id: 'c-1', status: 'released', adapter_version: 2, gate, progress: { step: 6, total_steps: 6, kl: 0.1 } })],
    adapters: { current: 2, adapters: [{ version: 1, parent_version: null, round_id: 'c-0', created_at: 'x' }, { version: 2, parent_version: 1, round_id: 'c-1', created_at: 'y' }] },
    active: active(), activeApplies: true, stored: [1, 2], saved: { items: 1, tokens: 17 }, refusal: null, error: null, ...over,
  };
}
const find = (nodes: TeamNode[], id: string): TeamNode | undefined => {
  for (const n of nodes) { if (n.id === id) return n; const c = find(n.children ?? [], id); if (c) return c; }
  return undefined;
};

test('a running round shows step/total and KL live; an ended one its gate verdict and the version it released', () => {
  assert.equal(roundDescription(round({})), 'training · step 3/6 · KL 0.1235');
  assert.ok(isRunning(round({})) && isRunning(round({ status: 'queued' })) && !isRunning(round({ status: 'released' })));
  assert.equal(roundDescription(round({ status: 'released', adapter_version: 2, gate })), 'released v2 · gate passed (KL −20.0%)');
  const failed = round({ status: 'failed_gate', gate: { ...gate, passed: false, kl_reduction: 0.001, reasons: ['held-out KL fell 0.1%, less than the 2% required'] } });
  assert.equal(roundDescription(failed), 'not released · gate failed: held-out KL fell 0.1%, less than the 2% required');
  const tree = teamTree(snapshot({ rounds: [failed] }));
  assert.match(find(tree, 'round:c-1234567890abcdef')!.tooltip!, /Gate: failed\nHeld-out KL 0\.5000 → 0\.4000.*\n.*\n• held-out KL fell/);
});

test('the adapter section says which version is current on the server, which is active here and what the runtime did', () => {
  const tree = teamTree(snapshot());
  assert.equal(find(tree, 'adapter:active')!.description, 'v2 · taken by vllm');
  assert.equal(find(tree, 'adapter:current')!.description, 'v2');
  assert.equal(find(tree, 'adapter:saved')!.description, '17 prompt tokens · 1 absorbed item');
  assert.deepEqual(find(tree, 'section:versions')!.children!.map((n) => `${n.label}: ${n.description}`), ['v2: current on server · active here', 'v1: kept here']);

  // Stored only: no runtime took it, so nothing left the prompt and the view says so.
  const stored = teamTree(snapshot({ active: active({ taken: false, target: 'stored' }), saved: null, adapters: { current: 3, adapters: [] }, stored: [2] }));
  assert.equal(find(stored, 'adapter:active')!.description, 'v2 · stored only (stored)');
  assert.equal(find(stored, 'adapter:current')!.description, 'v3 · not active here: Update Adapter');
  assert.equal(find(stored, 'adapter:saved')!.description, '0 prompt tokens (no adapter taken by a model runtime)');
  // A runtime change since activation: the version is still active here but no model serves it.
  assert.equal(find(teamTree(snapshot({ activeApplies: false })), 'adapter:active')!.description, 'v2 · stored only (vllm)');
  // A refusal stays visible, naming the check.
  const refused = teamTree(snapshot({ refusal: 'Adapter version 3 was refused (sha256 check): the sha256 of \'adapter_model.safetensors\' as downloaded is not the one signed.' }));
  assert.match(find(refused, 'adapter:refusal')!.description!, /sha256 check/);
});

test('admin actions are offered only on an admin token; a member gets update, roll back and the audit log', () => {
  const member = teamTree(snapshot());
  const admin = teamTree(snapshot({ role: 'admin' }));
  assert.deepEqual(inline(find(member, 'item:k-2')!.contextValue, false), []);
  assert.deepEqual(inline(find(admin, 'item:k-2')!.contextValue, true), ['oel.team.approveItem', 'oel.team.rejectItem']);
  assert.deepEqual(inline(find(admin, 'item:k-1')!.contextValue, true), ['oel.team.rejectItem'], 'an admitted item can only be rejected');
  assert.deepEqual(inline(find(member, 'version:1')!.contextValue, false), []);
  assert.deepEqual(inline(find(admin, 'version:1')!.contextValue, true), ['oel.team.setCurrentVersion']);
  assert.deepEqual(inline(find(admin, 'version:2')!.contextValue, true), [], 'the current version is not offered again');
  assert.deepEqual(inline(find(member, 'section:rounds')!.contextValue, false), []);
  assert.deepEqual(inline(find(admin, 'section:rounds')!.contextValue, true), ['oel.team.startRound']);
  assert.ok(!titleActions(false).includes('oel.team.startRound') && titleActions(true).includes('oel.team.startRound'));
  for (const c of ['oel.team.updateAdapter', 'oel.team.rollBack', 'oel.team.showAuditLog']) assert.ok(titleActions(false).includes(c), c);
  assert.deepEqual(titleActions(false, false), [], 'not joined: no toolbar, the welcome view shows');
  const welcome = pkg.contributes.viewsWelcome.find((w) => w.view === 'oel.teamView')!;
  assert.match(welcome.contents, /\[Join Team…\]\(command:oel\.team\.join\)/);
  assert.ok(when(welcome.when!, { 'oel.team.joined': false }) && !when(welcome.when!, { 'oel.team.joined': true }));
});

test('text from the server cannot break out of its row: control characters, bidi overrides and newlines are flattened', () => {
  const hostile = 'Use x\u202e\n[Join](command:oel.team.leave)\u0007 now';
  const tree = teamTree(snapshot({ knowledge: { k: 1, items: [teamItem('k-9', 'admitted', hostile)] }, rounds: [round({ status: 'failed', message: 'boom\n\nfake line' })] }));
  const label = find(tree, 'item:k-9')!.label;
  assert.ok(!/[\u0000-\u001f\u202e]/.test(label), label);
  assert.equal(roundDescription(round({ status: 'failed', message: 'boom\n\nfake line' })), 'failed: boom fake line');
});

test('a new current version is announced once; a roll back on the server says so; the first poll announces nothing', () => {
  assert.equal(releaseNotice(undefined, 3), null);
  assert.equal(releaseNotice(2, 2), null);
  assert.equal(releaseNotice(null, 1), 'The team released adapter version 1.');
  assert.equal(releaseNotice(2, 3), 'The team released adapter version 3.');
  assert.equal(releaseNotice(3, 2), 'The team server made adapter version 2 current again (it was 3).');
});

test('update messages say whether the runtime took the adapter and what left the prompt', () => {
  const saved = { version: 2, items: 1, tokens: 17 };
  assert.equal(updateSummary({ kind: 'activated', active: active(), downloaded: true }, saved),
    'adapter version 2 was downloaded, verified and is now active. The vllm runtime took it; 1 absorbed knowledge item left the prompt, saving 17 prompt tokens per task.');
  assert.match(activationSummary(active({ taken: false, target: 'stored', message: 'No model runtime can load adapters yet.' }), { version: null, items: 0, tokens: 0 }),
    /did not take it, so the prompt is unchanged: No model runtime can load adapters yet\./);
  assert.equal(updateSummary({ kind: 'none' }, saved), 'the team has not released an adapter yet.');
});

test('the Knowledge view shows an absorbed item as absorbed, with the adapter version', () => {
  assert.equal(absorbedLabel('127.0.0.1_8787#3'), 'adapter v3');
  const it = item('K-abcd1234', 'Check loop bounds first.', { status: 'accepted', consolidated: '127.0.0.1_8787#3', team: { id: 'k-1', status: 'admitted' } });
  assert.equal(itemDescription({ item: it, tombstone: false, needsReview: false, flags: [] }, 'workspace'), 'absorbed in adapter v3 · team: admitted');
});
