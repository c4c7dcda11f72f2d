/**
 * Receiving the team's adapter in a real VS Code (code-server + chromium) from the real `oel server` with the real
 * trainer on the tiny model (issue 10, e2e steps 6-12). The workspace already holds an item that was shared (steps
 * 1-5 are test/e2e/teamSend.test.ts): it carries its team id and waits on the server for k = 2 members.
 *  6. joined with an admin invite, the admin approves the item in the Team view;
 *  7. starts a round there; 8. the view shows its live progress, then the release, and a notification says so;
 *  9. the adapter downloads and verifies by itself and the runtime takes it (a vLLM double written from vLLM's
 *     documentation, in front of the scripted model: the only model double);
 * 10. the next task's system prompt, as the scripted model receives it, no longer carries the item;
 * 11. Roll Back (to the base model) puts it back;
 * 12. a version whose file was altered on the server (one flipped byte) is refused by the sha256 check, and the
 *     previous version stays active.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { trustedSettings } from '../support/codeServer';
import { findFrameWith, notifications, runCommand, screenshot } from '../support/browser';
import { withWorkbench } from '../support/workbench';
import { sendTask, waitEnd } from '../support/agentView';
import { agentSuite } from '../support/e2eSuite';
import { lastEpisode } from '../support/episodes';
import { startVllmDouble, type VllmDouble } from '../support/vllmDouble';
import { call } from '../unit/server/harness';
import { joinByInvite, startTeamServer, submitItems, teamInvite, type TeamServer } from '../support/teamServer';
import { AdapterManifestSchema } from '../../src/core/protocol/consolidation';
import type { TrainerMetrics } from '../../src/core/protocol/trainer';
import { release } from '../../src/server/adapters';

const SAMPLE = resolve('test/fixtures/sample-workspace');
const AGENT = { systemIncludes: 'You are OEL Agent' };
const LESSON = 'Invoice totals are rounded per line with banker\'s rounding; never round the grand total again.';
const ITEM_ID = 'K-rcv00001';

const suite = agentSuite('team-receive');
let srv: TeamServer;
let vllm: VllmDouble;
let invite: string;
let teamItemId: string;

before(async () => {
  // k = 2: one member's item waits until the admin admits it. The gate is not under test (server tests cover it).
  srv = await startTeamServer({ k: 2, gate: { min_kl_reduction: 0, max_ood_kl: 10 } });
  const [sent] = await submitItems(srv, srv.tokens.create('alpha', 'member', 'ann').token, 'rcv-1', [{ client_id: ITEM_ID, text: LESSON }]);
  teamItemId = sent.item_id;
  assert.equal(sent.status, 'waiting');
  ({ invite } = await teamInvite(srv));
  // The double serves the tiny model under the name the scripted model answers to (`--served-model-name`), so the
  // runtime's base-model check sees the base the adapter was trained on in `root`.
  const cfg = JSON.parse(readFileSync(join(srv.cfg.model_dir, 'config.json'), 'utf8')) as { _name_or_path?: string };
  vllm = await startVllmDouble({ baseModel: 'scripted-model', baseRoot: cfg._name_or_path || basename(srv.cfg.model_dir), upstream: suite.model.url });
});
after(async () => {
  await vllm?.close();
  await srv?.close();
});

/** The knowledge file as it reads after the item was shared (teamSend's step 5). */
const KNOWLEDGE = () => `# OEL knowledge

- ${ITEM_ID} [accepted] ${LESSON}
  <!-- oel
  scope: workspace
  sources: -
  helpful: 0
  harmful: 0
  consolidated: false
  share: yes
  team: ${teamItemId} waiting
  -->
`;

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Folders named `name` under `dir`, at any depth. */
function findDirs(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (!statSync(p).isDirectory()) return [];
    return n === name ? [p] : findDirs(p, name);
  });
}

const pane = (page: Page, title: RegExp) => page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: title }) });
const teamRow = (page: Page, text: string | RegExp) => pane(page, /^Team/i).locator('.monaco-list-row', { hasText: text }).first();
/**
 * Every notification toast text seen since the workbench opened: info toasts hide by themselves after a few seconds,
 * and several arrive close together (round started, released, adapter active), so a collector records them all.
 */
const seenToasts = new Set<string>();
let collector: NodeJS.Timeout | undefined;
function collectToasts(page: Page): void {
  collector = setInterval(() => void notifications(page).then((ts) => ts.forEach((t) => seenToasts.add(t.replace(/\s+/g, ' '))), () => undefined), 150);
}
/** The messages listed in the notification center (where every notification stays until cleared). */
async function centerMessages(page: Page): Promise<string[]> {
  await runCommand(page, 'Notifications: Show Notifications');
  const texts = await page.locator('.notifications-center .notification-list-item-message').allInnerTexts().catch(() => []);
  await runCommand(page, 'Notifications: Hide Notifications').catch(() => undefined);
  return texts.map((t) => t.replace(/\s+/g, ' '));
}

/**
 * Waits until a notification matching `text` was shown: seen as a toast, or listed in the notification center (toasts
 * can be hidden again before a poll sees them, and several arrive together when a tiny round trains in seconds).
 */
async function toast(page: Page, text: string | RegExp, timeout = 60_000): Promise<string> {
  const match = (t: string) => (typeof text === 'string' ? t.includes(text) : text.test(t));
  const deadline = Date.now() + timeout;
  let center: string[] = [];
  for (;;) {
    const seen = [...seenToasts].find(match);
    if (seen) return seen;
    center = await centerMessages(page);
    const listed = center.find(match);
    if (listed) return listed;
    if (Date.now() > deadline) throw new Error(`no notification ${String(text)} after ${timeout} ms (toasts: ${JSON.stringify([...seenToasts])}; center: ${JSON.stringify(center)})`);
    await new Promise((r) => setTimeout(r, 1500));
  }
}
const forgetToasts = () => seenToasts.clear();

const PANES = [/^Agent/i, /^Knowledge/i, /^History/i, /^Learning/i, /^Team/i];

/**
 * Shows the OEL Agent container with only the `title` pane expanded, so it gets the room (the sidebar is small in the
 * test browser and trees render only the rows in view). A click on the active container's icon would hide it.
 */
async function showPane(page: Page, title: RegExp): Promise<void> {
  const header = (t: RegExp) => page.locator('.part.sidebar .pane-header', { hasText: t }).first();
  if (!(await header(title).isVisible().catch(() => false))) await page.locator('.part.activitybar .action-label[aria-label^="OEL Agent"]').first().click();
  await header(title).waitFor({ state: 'visible', timeout: 30_000 });
  for (const t of PANES) {
    const h = header(t);
    if (!(await h.isVisible().catch(() => false))) continue;
    const open = (await h.getAttribute('aria-expanded')) === 'true';
    // Clicked at its left end: the middle of a header can be one of the view's toolbar buttons (e.g. Roll Back).
    if (open !== (t.source === title.source)) await h.click({ position: { x: 12, y: 10 } });
  }
}
const showTeamView = (page: Page) => showPane(page, /^Team/i);

/** Closes every notification toast, so the next screenshot shows the view and the next wait sees only new ones. */
async function clearToasts(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
  forgetToasts();
}

/** Runs one task ("say ok") in a new task and returns the system prompt the scripted model received. */
async function runTask(page: Page, text: string): Promise<string> {
  await showPane(page, /^Agent/i);
  const view = await findFrameWith(page, '[data-testid="agent-view"][data-ready="true"]', 90_000);
  // A fresh task each time, so its system prompt is built anew (a follow-up would keep the first one's).
  const fresh = view.locator('[data-testid="new-task"]');
  if (await fresh.isVisible().catch(() => false)) await fresh.click();
  const before = suite.model.requests.length;
  suite.model.enqueue({ match: AGENT, text: 'ok' });
  await sendTask(view, text);
  await waitEnd(view);
  const req = suite.model.requests[before];
  assert.ok(req, 'the scripted model received the task');
  const sys = req.messages.find((m) => m.role === 'system');
  return typeof sys?.content === 'string' ? sys.content : JSON.stringify(sys?.content ?? '');
}

describe('team receiving in code-server', { timeout: 900_000 }, () => {
  test('admit, train, release, receive, absorb, roll back, refuse a tampered version', async () => {
    suite.model.reset();
    const folder = join(suite.tmp, 'ws');
    cpSync(SAMPLE, folder, { recursive: true });
    mkdirSync(join(folder, '.oel'), { recursive: true });
    const kfile = join(folder, '.oel', 'knowledge.md');
    writeFileSync(kfile, KNOWLEDGE());
    const settings = trustedSettings({
      'oel.provider.baseUrl': vllm.url,
      'oel.provider.model': 'scripted-model',
      'oel.adapters.runtime': 'vllm',
      'oel.approval.read': 'auto',
      'oel.knowledge.extraction': 'off',
    });
    await withWorkbench('team-receive', { folder, settings, extensionsDir: suite.extensionsDir }, async ({ browser: { page }, cs }) => {
      await page.locator('.part.statusbar').waitFor();
      collectToasts(page);
      // Before any adapter, the item is in the prompt.
      const plain = await runTask(page, 'How are invoice totals rounded?');
      assert.ok(plain.includes(LESSON), 'before any adapter the item is in the system prompt');

      // Join with the admin's invite (the join command is the sending side's; it shows the key fingerprint).
      await joinByInvite(page, invite);
      await toast(page, 'joined the team at', 30_000);
      await clearToasts(page);

      // The Team view: the item the member shared waits for k; an admin token gets the admin actions.
      await showTeamView(page);
      const itemRow = teamRow(page, 'Invoice totals are rounded');
      await itemRow.filter({ hasText: 'waiting' }).waitFor({ state: 'visible', timeout: 60_000 });
      await screenshot(page, 'team-recv-06-waiting');

      // 6. The admin approves it in the Team view: the server admits it.
      await itemRow.hover();
      await itemRow.locator('.action-label[aria-label^="Approve Team Item"]').click();
      await teamRow(page, 'Invoice totals are rounded').filter({ hasText: /admitted · 1 member · by admin/ }).waitFor({ timeout: 30_000 });
      assert.equal((await call(srv.url, 'GET', '/v1/knowledge', srv.admin)).body.items[0].status, 'admitted');
      await screenshot(page, 'team-recv-06-admitted');

      // 7. Start a round from the view's toolbar (server default steps).
      await pane(page, /^Team/i).hover();
      await page.locator('.part.sidebar .pane-header .action-label[aria-label^="Start Consolidation Round"]').first().click();
      const stepsBox = page.locator('.quick-input-widget input.input, .quick-input-box input').first();
      await stepsBox.waitFor({ state: 'visible', timeout: 10_000 });
      // The server's default steps (6 here, the harness's tiny trainer whose round 1 passes its gate: more steps on
      // this random model can fail it). Training then takes about a second, so the 2 s polling may not catch a step.
      await page.keyboard.press('Enter');
      await stepsBox.waitFor({ state: 'hidden', timeout: 10_000 });
      await toast(page, /consolidation round r-\S+ started \(6 steps\); the Team view shows its progress/, 30_000);

      // 8. Live progress while it trains, then the release and its notification.
      const seen = new Set<string>();
      const roundRow = pane(page, /^Team/i).locator('.monaco-list-row', { hasText: /Round r-/ }).first();
      await waitFor('the round to be released', async () => {
        const t = (await roundRow.innerText().catch(() => '')).replace(/\s+/g, ' ');
        if (/step \d+\/\d+ · KL/.test(t) && !seen.has(t)) {
          seen.add(t);
          if (seen.size === 1) await screenshot(page, 'team-recv-07-training');
        }
        if (/not released|failed|cancelled/.test(t)) throw new Error(`the round ended without a release: ${t}`);
        return /released v1 · gate passed/.test(t);
      }, 300_000);
      process.stderr.write(`round progress seen in the Team view: ${[...seen].join(' | ')}\n`);
      await toast(page, 'The team released adapter version 1.', 30_000);
      await screenshot(page, 'team-recv-08-released');

      // 9. It downloads and verifies by itself; vLLM (the double) took it, and the item is marked absorbed.
      await toast(page, /adapter version 1 was downloaded, verified and is now active\. The vllm runtime took it; 1 absorbed knowledge item left the prompt, saving \d+ prompt tokens per task/, 120_000);
      assert.equal(vllm.loaded.size, 1, 'vLLM holds the adapter');
      const v1dirs = findDirs(join(cs.userDataDir, 'User'), '1').filter((d) => existsSync(join(d, 'manifest.json')));
      assert.equal(v1dirs.length, 1, 'version 1 is stored under adapters/<server>/1');
      const stored = AdapterManifestSchema.parse(JSON.parse(readFileSync(join(v1dirs[0], 'manifest.json'), 'utf8')));
      assert.deepEqual(stored.knowledge.ids, [teamItemId]);
      const absorbed = await waitFor('the absorbed mark', () => { const t = readFileSync(kfile, 'utf8'); return /consolidated: \S+#1/.test(t) && t; }, 30_000);
      assert.ok(absorbed.includes(LESSON), 'the item stays in the file');
      await teamRow(page, 'Active here').filter({ hasText: 'v1 · taken by vllm' }).waitFor({ timeout: 30_000 });
      const savedRow = await teamRow(page, 'Saved per task').innerText();
      const saved = Number(/(\d+) prompt tokens · 1 absorbed item/.exec(savedRow.replace(/\s+/g, ' '))?.[1]);
      assert.ok(saved > 0, savedRow);
      process.stderr.write(`prompt tokens saved per task by adapter v1: ${saved}\n`);
      await clearToasts(page);
      await screenshot(page, 'team-recv-09-active');
      await showPane(page, /^Knowledge/i);
      await pane(page, /^Knowledge/i).locator('.monaco-list-row', { hasText: 'absorbed in adapter v1' }).first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'team-recv-09-absorbed-knowledge');

      // 10. The next task's system prompt, as the model server receives it, no longer carries the item; the request
      // went to the adapter's model name, and the episode records the adapter and the tokens saved.
      const withAdapter = await runTask(page, 'How are invoice totals rounded?');
      assert.ok(!withAdapter.includes(LESSON), 'the absorbed item left the system prompt');
      assert.match(vllm.chatModels.at(-1)!, /oel-v1$/);
      const header = (await lastEpisode(cs.userDataDir))[0] as { adapter?: { version: string; tokensSaved?: number } };
      assert.match(header.adapter?.version ?? '', /#1$/);
      assert.equal(header.adapter?.tokensSaved, saved, 'the episode records the tokens saved');
      await screenshot(page, 'team-recv-10-task-without-item');

      // 11. Roll Back: no older version is kept, so back to the base model (asked in a modal); the item returns.
      await showTeamView(page);
      await pane(page, /^Team/i).hover();
      await page.locator('.part.sidebar .pane-header .action-label[aria-label^="Roll Back Team Adapter"]').first().click();
      const ask = page.locator('.monaco-dialog-box');
      await ask.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await ask.innerText(), /No version older than 1 is kept/);
      await ask.locator('.monaco-button', { hasText: /^Use Base Model$/ }).click();
      await toast(page, 'rolled back to the base model', 30_000);
      await waitFor('the item back in the prompt', () => /consolidated: false/.test(readFileSync(kfile, 'utf8')), 30_000);
      assert.equal(vllm.loaded.size, 0, 'vLLM unloaded the adapter');
      const rolledBack = await runTask(page, 'How are invoice totals rounded?');
      assert.ok(rolledBack.includes(LESSON), 'after roll back the item is in the system prompt again');
      assert.equal(vllm.chatModels.at(-1), 'scripted-model');
      await screenshot(page, 'team-recv-11-rolled-back');

      // Update again by hand: version 1 (kept, verified again) becomes active and the item leaves the prompt again.
      await clearToasts(page);
      await runCommand(page, 'OEL Agent: Update Team Adapter');
      await toast(page, /adapter version 1 was verified and is now active/, 60_000);
      await waitFor('the absorbed mark again', () => /consolidated: \S+#1/.test(readFileSync(kfile, 'utf8')), 30_000);

      // 12. The team releases version 2, but one byte of its weights is altered on the server: refused by the sha256
      // check, named in the message; version 1 stays active and the item stays out of the prompt.
      const v1 = srv.store.getAdapter('alpha', 1)!;
      const m1 = AdapterManifestSchema.parse(JSON.parse(readFileSync(join(v1.dir, 'manifest.json'), 'utf8')));
      const out = join(mkdtempSync(join(tmpdir(), 'oel-rcv-')), 'out');
      cpSync(v1.dir, out, { recursive: true });
      unlinkSync(join(out, 'manifest.json'));
      const v2dir = await release({
        dataDir: srv.cfg.data_dir, team: 'alpha', version: 2, parentVersion: 1, roundId: 'r-copy', baseModelId: m1.base_model_id,
        knowledge: [{ id: teamItemId, text: LESSON }], metrics: m1.metrics as unknown as TrainerMetrics, gate: m1.gate, trainerOutputDir: out, key: srv.key,
      });
      await srv.store.addAdapter({ team: 'alpha', version: 2, parent_version: 1, round_id: 'r-copy', created_at: new Date().toISOString(), dir: v2dir });
      const weights = join(v2dir, 'adapter_model.safetensors');
      const bytes = readFileSync(weights);
      bytes[bytes.length - 1] ^= 0x01;
      writeFileSync(weights, bytes);
      await clearToasts(page);
      await showTeamView(page);
      assert.equal((await call(srv.url, 'POST', '/v1/adapters/current', srv.admin, { version: 2 })).status, 200);
      await toast(page, 'The team released adapter version 2.', 60_000);
      await toast(page, /Adapter version 2 was refused \(sha256 check\): the sha256 of 'adapter_model\.safetensors' as downloaded is not the one signed/, 60_000);
      await teamRow(page, 'Last update refused').filter({ hasText: 'sha256 check' }).waitFor({ timeout: 30_000 });
      await teamRow(page, 'Active here').filter({ hasText: 'v1 · taken by vllm' }).waitFor({ timeout: 30_000 });
      assert.ok(!existsSync(join(v1dirs[0], '..', '2')), 'nothing of version 2 is stored');
      assert.ok(/consolidated: \S+#1/.test(readFileSync(kfile, 'utf8')), 'version 1 still absorbs the item');
      assert.match([...vllm.loaded.keys()].join(), /oel-v1$/, 'vLLM still serves version 1');
      await screenshot(page, 'team-recv-12-tampered-refused');
      const errors = (await notifications(page)).filter((n) => /failed|error/i.test(n) && !/refused \(sha256 check\)/.test(n));
      assert.deepEqual(errors, [], 'no other error notifications');
    }).finally(() => clearInterval(collector));
  });
});
