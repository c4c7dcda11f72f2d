// What the next submission takes from the two knowledge files: consented items only, the workspace file's only when
// its sharing is on, nothing an unsent queued submission already carries, one copy of an id found in both files; and
// consent written as the item's `share:` metadata (what "Share with team", "Don't share" and the preview's Drop do).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKnowledge, serializeKnowledge } from '../../../../src/core/knowledge/format';
import { planSubmission, queuedClientIds, setShareConsent, type PlanSource } from '../../../../src/core/team/submissionPlan';
import { buildSubmission } from '../../../../src/core/team/payload';
import { ReviewSet, itemTextHash } from '../../../../src/core/knowledge/review';

const file = (items: string) => parseKnowledge(`# OEL knowledge\n\n${items}`).doc;
const WS = file(`- K-ws000001 [accepted] Run the unit tests before committing.
  <!-- oel
  share: yes
  -->
- K-ws000002 [accepted] Prefer pure functions for parsers.
- K-both0001 [accepted] Workspace wording of a shared id.
  <!-- oel
  share: yes
  -->
`);
const USER = file(`- K-us000001 [accepted] Read the error message before searching.
  <!-- oel
  share: yes
  -->
- K-both0001 [accepted] User wording of a shared id.
  <!-- oel
  share: yes
  -->
- K-us000002 [accepted] Never share this one.
  <!-- oel
  share: no
  -->
`);
const sources: PlanSource[] = [{ scope: 'user', doc: USER }, { scope: 'workspace', doc: WS }];
const ids = (p: ReturnType<typeof planSubmission>) => p.items.map((i) => `${i.scope}:${i.id}`).sort();

test('only consented items are planned; the workspace default decides items without share:', () => {
  assert.deepEqual(ids(planSubmission(sources, { shareWorkspaceKnowledge: true, shareByDefault: 'no' })),
    ['user:K-us000001', 'workspace:K-both0001', 'workspace:K-ws000001']);
  assert.deepEqual(ids(planSubmission(sources, { shareWorkspaceKnowledge: true, shareByDefault: 'yes' })),
    ['user:K-us000001', 'workspace:K-both0001', 'workspace:K-ws000001', 'workspace:K-ws000002'], 'share: no stays out even when the default is yes');
});

test('with workspace sharing off, no workspace item is planned and the count says how many wait', () => {
  const p = planSubmission(sources, { shareWorkspaceKnowledge: false, shareByDefault: 'no' });
  assert.deepEqual(ids(p), ['user:K-us000001']);
  assert.equal(p.heldByWorkspace, 2);
});

test('an item inside an unsent queued submission is not planned again', async () => {
  const queued = await buildSubmission({ items: [{ id: 'K-ws000001', text: 'Run the unit tests before committing.' }] }, { anonymize: (t) => ({ texts: t }) });
  const q = queuedClientIds([{ submission_id: queued.submission_id, body: queued.body, queued_at: '', attempts: 1, last_error: 'down' }]);
  assert.deepEqual([...q], ['K-ws000001']);
  const p = planSubmission(sources, { shareWorkspaceKnowledge: true, shareByDefault: 'no', queued: q });
  assert.deepEqual(ids(p), ['user:K-us000001', 'workspace:K-both0001']);
  assert.equal(p.alreadyQueued, 1);
});

test('consent is written into the item metadata and survives a round trip through the file', () => {
  const doc = file('- K-ws000002 [accepted] Prefer pure functions for parsers.\n');
  assert.equal(setShareConsent(doc, 'K-ws000002', 'yes'), true);
  const text = serializeKnowledge(doc);
  assert.match(text, /share: yes/);
  assert.equal(parseKnowledge(text).doc.blocks.length > 0, true);
  assert.deepEqual(ids(planSubmission([{ scope: 'workspace', doc: parseKnowledge(text).doc }], { shareWorkspaceKnowledge: true, shareByDefault: 'no' })), ['workspace:K-ws000002']);
  assert.equal(setShareConsent(doc, 'K-ws000002', 'no'), true);
  assert.match(serializeKnowledge(doc), /share: no/);
  assert.equal(setShareConsent(doc, 'K-missing1', 'yes'), false, 'an unknown id changes nothing');
});

test('a share: yes only the file says (a commit, a hostile repository) leaves only from the preview; an edit needs consent again', () => {
  const confirmed = new ReviewSet([{ id: 'K-ws000001', hash: itemTextHash('Run the unit tests before committing.') }]);
  const preview = planSubmission(sources, { shareWorkspaceKnowledge: true, shareByDefault: 'no', confirmed });
  assert.deepEqual(preview.items.map((i) => [i.id, i.confirmed]).sort(), [['K-both0001', false], ['K-us000001', false], ['K-ws000001', true]], 'the preview shows all, marked');
  const unattended = planSubmission(sources, { shareWorkspaceKnowledge: true, shareByDefault: 'no', confirmed, onlyConfirmed: true });
  assert.deepEqual(ids(unattended), ['workspace:K-ws000001'], 'Send Now and the schedule send only what was consented here');
  assert.equal(unattended.awaitingPreview, 2);
  const edited = new ReviewSet([{ id: 'K-ws000001', hash: itemTextHash('Run the unit tests before committing, always.') }]);
  assert.deepEqual(ids(planSubmission(sources, { shareWorkspaceKnowledge: true, shareByDefault: 'no', confirmed: edited, onlyConfirmed: true })), [], 'a consent to another wording does not count');
});

test('a submission holds at most the 200 items the protocol allows; the rest wait for the next one', async () => {
  const many = file(Array.from({ length: 205 }, (_, n) => `- K-many${String(n).padStart(4, '0')} [accepted] Lesson number ${n} about loops.\n  <!-- oel\n  share: yes\n  -->\n`).join(''));
  const p = planSubmission([{ scope: 'user', doc: many }], { shareWorkspaceKnowledge: true, shareByDefault: 'no' });
  assert.equal(p.items.length, 200);
  assert.equal(p.deferred, 5);
  // ...and the server's schema accepts what was planned.
  const built = await buildSubmission({ items: p.items }, { anonymize: (t) => ({ texts: t }) });
  assert.equal((JSON.parse(built.body) as { items: unknown[] }).items.length, 200);
});
