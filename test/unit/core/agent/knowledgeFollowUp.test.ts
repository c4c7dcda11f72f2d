// The knowledge slot over a whole task: chosen for the request and the open file when the task starts, kept on
// follow-ups that bring nothing relevant (the system prompt stays byte for byte, so a provider's prompt cache holds),
// extended when they do, and recorded with each item's score and reason.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedModel } from '../../../support/scriptedModel';
import { tempWorkspace } from '../helpers';
import { AgentSession } from '../../../../src/core/agent/session';
import { StoreRecorder } from '../../../../src/core/agent/recorder';
import type { AgentEvent } from '../../../../src/core/agent/events';
import { DEFAULT_SYSTEM_TEMPLATE } from '../../../../src/core/agent/systemPrompt';
import { NodeToolHost } from '../../../../src/core/tools/nodeToolHost';
import { TrajectoryStore } from '../../../../src/core/trajectory/store';
import { KNOWLEDGE_SLOT } from '../../../../src/core/trajectory/episode';
import { FileKnowledgeProvider } from '../../../../src/core/knowledge/provider';
import { serializeKnowledge } from '../../../../src/core/knowledge/format';
import { KNOWLEDGE_PREAMBLE, approxTokens, lineCost } from '../../../../src/core/knowledge/selection';
import { item } from '../../knowledge/helpers';

const model = await startScriptedModel();
after(() => model.close());

const noise = Array.from({ length: 30 }, (_, n) => item(`K-nz${String(n).padStart(4, '0')}`, `Lesson ${n} about the weekly newsletter layout, banner images and footer links in the marketing site.`, { helpful: 9 }));
const invoice = item('K-inv00001', 'Invoice totals are integer cents; round each line item before adding tax.');
const auth = item('K-auth0001', 'Login throttling allows five failures per account in fifteen minutes.');
const totals = item('K-file0001', 'Keep src/billing/totals.ts free of I/O so it stays easy to test.');

test('a task: the slot fits the request and the open file, stays on an unrelated follow-up, grows on a relevant one', async () => {
  model.reset();
  const root = tempWorkspace({ 'src/billing/totals.ts': 'export const x = 1;\n' });
  mkdirSync(join(root, '.oel'));
  writeFileSync(join(root, '.oel', 'knowledge.md'), serializeKnowledge({ blocks: [...noise, invoice, auth, totals].map((i) => ({ kind: 'item' as const, item: i, tombstone: false })), eol: '\n', finalNewline: true }));
  const base = mkdtempSync(join(tmpdir(), 'oel-kfu-'));
  const store = await TrajectoryStore.open({ episodesDir: join(base, 'episodes'), indexFile: join(base, 'index.json') });
  const recorder = new StoreRecorder(store, { thorough: false });
  const events: AgentEvent[] = [];
  const knowledge = new FileKnowledgeProvider({
    workspaceRoot: root, workspaceTrusted: () => true, userFile: null, openFiles: () => ['src/billing/totals.ts'],
    budgetTokens: approxTokens(KNOWLEDGE_PREAMBLE) + 1 + 12 * lineCost(noise[0]),
  });
  const session = new AgentSession({
    provider: { baseUrl: model.url, model: 'scripted-model', apiKey: '' }, host: new NodeToolHost(root),
    approver: { approve: async () => ({ decision: 'approved' }) }, trusted: true, recorder, knowledge, onEvent: (e) => events.push(e),
  });
  model.enqueue({ text: 'Fixed, following [K-inv00001].' }, { text: 'Renamed.' }, { text: 'Throttling checked.' });

  await session.start('Customers see invoice totals off by one cent');
  const system1 = String(model.requests[0].messages[0].content);
  // The knowledge slot comes after the static part of the system prompt, which providers can cache on its own.
  const staticPart = DEFAULT_SYSTEM_TEMPLATE.split(KNOWLEDGE_SLOT)[0];
  assert.ok(system1.startsWith(staticPart) && system1.slice(staticPart.length).startsWith(KNOWLEDGE_PREAMBLE));
  assert.ok(system1.includes(invoice.text) && system1.includes(totals.text));
  assert.ok(!system1.includes(auth.text));

  await session.followUp('also rename the variable x to count');
  assert.equal(model.requests[1].messages[0].content, system1, 'unchanged system prompt');

  await session.followUp('Now users are locked out after failed logins; check the throttling');
  const system3 = String(model.requests[2].messages[0].content);
  assert.ok(system3.includes(auth.text));
  // The budget was full: the last filler (chosen for its evidence, not the request) made room, and the new item
  // went at the end, so the prompt up to that point is as before and stays cacheable.
  const firstIds = events.find((e) => e.type === 'knowledge_in_context')!;
  const before = firstIds.type === 'knowledge_in_context' ? firstIds.items : [];
  const lastLine = `- [${before.at(-1)!.id}] ${before.at(-1)!.text}`;
  assert.equal(before.at(-1)!.reason, 'evidence');
  assert.ok(system3.startsWith(system1.slice(0, system1.lastIndexOf(lastLine))), 'all but the last line of the slot unchanged');
  assert.ok(system3.endsWith(`- [${auth.id}] ${auth.text}`));

  await recorder.flush();
  const ep = store.read(session.episodeId)!;
  const header = ep.systemPrompt.knowledge!;
  const byId = new Map(header.chosen!.map((c) => [c.id, c]));
  assert.equal(byId.get(invoice.id)!.reason, 'request');
  assert.equal(byId.get(totals.id)!.reason, 'file');
  assert.match(byId.get(totals.id)!.why, /src\/billing\/totals\.ts/);
  assert.equal(ep.systemPrompt.knowledge!.ranker, 'lexical');
  const users = ep.steps.filter((s) => s.kind === 'user');
  assert.equal(users.length, 3);
  assert.equal(users[0].knowledge, undefined, 'the first slot is in the header');
  assert.equal(users[1].knowledge, undefined, 'an unchanged slot is not recorded again');
  assert.ok(users[2].knowledge!.itemIds.includes(auth.id));
  assert.equal(users[2].knowledge!.text, system3.slice(staticPart.length));
  // The view was told twice, with the scores and reasons.
  const told = events.filter((e) => e.type === 'knowledge_in_context');
  assert.equal(told.length, 2);
  const shown = told[1].type === 'knowledge_in_context' ? told[1].items.find((i) => i.id === auth.id)! : null;
  assert.equal(shown?.reason, 'request');
  assert.match(shown!.why!, /throttling/);
  // Citations count against the slot in force.
  assert.deepEqual(ep.steps.find((s) => s.kind === 'citation'), { ...ep.steps.find((s) => s.kind === 'citation'), itemIds: [invoice.id] });
});
