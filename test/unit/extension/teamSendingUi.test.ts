// The pure parts of the team's sending UI: what the join box accepts, the preview page (escaped, no script, Drop and
// Send only as allowed command links carrying the draft's ids), the status bar words, the audit log rendering, and
// the consent lenses above an item.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatInvite } from '../../../src/core/protocol/invite';
import { keyIdProblem, parseJoinInput, tokenProblem } from '../../../src/core/team/joinInput';
import { previewHtml, type PreviewModel } from '../../../src/extension/team/previewHtml';
import { formatSendTime, scheduledSendDue, teamStatusText } from '../../../src/extension/team/statusText';
import { auditMarkdown } from '../../../src/extension/team/auditMarkdown';
import { sendFailureActions } from '../../../src/extension/team/sendMessages';
import { lensesFor, itemDescription } from '../../../src/extension/knowledge/presentation';
import { item } from '../knowledge/helpers';

test('the join box takes an invite or a server URL, and says what is wrong otherwise without echoing a token', () => {
  const invite = formatInvite({ v: 1, url: 'http://127.0.0.1:8123/', token: 'oel_secret-token-123', key_id: '0123456789abcdef' });
  const p = parseJoinInput(`  ${invite.slice(0, 20)}\n${invite.slice(20)}  `);
  assert.equal(p.kind, 'invite');
  assert.equal(p.kind === 'invite' && p.invite.url, 'http://127.0.0.1:8123');
  assert.deepEqual(parseJoinInput('https://oel.example.com'), { kind: 'url', url: 'https://oel.example.com' });
  const bad = [parseJoinInput(`${invite.slice(0, -6)}`), parseJoinInput('ftp://x'), parseJoinInput('oel_secret-token-123'), parseJoinInput('https://u:p@x.example')];
  for (const b of bad) {
    assert.equal(b.kind, 'error');
    assert.ok(b.kind === 'error' && !b.message.includes('secret-token'), b.kind === 'error' ? b.message : '');
  }
  assert.match(bad[1].kind === 'error' ? bad[1].message : '', /http:\/\/ or https:\/\//);
  assert.equal(tokenProblem('oel_abcdefgh'), undefined);
  assert.ok(tokenProblem('has space in it'));
  assert.equal(keyIdProblem(''), undefined, 'the key id may be left empty');
  assert.equal(keyIdProblem('0123456789ABCDEF'), undefined);
  assert.ok(keyIdProblem('0123'));
});

const model = (over: Partial<PreviewModel> = {}): PreviewModel => ({
  server: 'http://127.0.0.1:8123', cspSource: 'vscode-resource:', nonce: 'n0nce', submissionId: 's-1',
  items: [{ id: 'K-abc12345', scope: 'workspace', original: 'Mail <b>ann@corp.example</b> from /home/ann', anonymized: 'Mail <b><email></b> from <home>' }],
  taskStatements: [], queued: 0, notes: [], firstSend: true, ...over,
});

test('the preview page escapes every text, runs no script, and marks the placeholders', () => {
  const html = previewHtml(model());
  assert.ok(!/<script/i.test(html), 'no script element');
  assert.match(html, /default-src 'none'/);
  assert.ok(!html.includes('<b>ann@'), 'item text is escaped');
  assert.ok(html.includes('&lt;b&gt;ann@corp.example&lt;/b&gt;'));
  assert.ok(html.includes('<mark>&lt;email&gt;</mark>') && html.includes('<mark>&lt;home&gt;</mark>'));
  assert.match(html, /data-testid="preview-first"/);
  assert.ok(!html.includes('preview-file-consent'), 'consented on this machine: no mark');
  assert.match(previewHtml(model({ items: [{ ...model().items[0], confirmed: false }] })), /data-testid="preview-file-consent"[^>]*>consent from the file/);
});

test("the preview's Drop and Send links carry the draft's ids to the allowed commands only", () => {
  const html = previewHtml(model());
  const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  assert.deepEqual(links.map((l) => l.split('?')[0]).sort(), ['command:oel.team.dropFromSubmission', 'command:oel.team.sendPreviewed']);
  const args = (l: string) => JSON.parse(decodeURIComponent(l.split('?')[1]));
  assert.deepEqual(args(links.find((l) => l.includes('drop'))!), [{ id: 'K-abc12345', scope: 'workspace', submissionId: 's-1' }]);
  assert.deepEqual(args(links.find((l) => l.includes('sendPreviewed'))!), ['s-1']);
  const empty = previewHtml(model({ submissionId: null, items: [] }));
  assert.match(empty, /preview-empty/);
  assert.ok(!empty.includes('sendPreviewed'), 'nothing to send: no Send link');
});

test('the status bar says how many items wait and when they go', () => {
  const now = new Date(2026, 11, 3, 10, 0); // Thursday
  assert.equal(teamStatusText({ waiting: 3, schedule: 'weekly', next: new Date(2026, 11, 7, 9, 0), firstSendDone: true }, now).text, '$(organization) Team: 3 queued · next Mon 09:00');
  assert.equal(teamStatusText({ waiting: 1, schedule: 'daily', next: new Date(2026, 11, 3, 18, 30), firstSendDone: true }, now).text, '$(organization) Team: 1 queued · next 18:30');
  assert.equal(teamStatusText({ waiting: 2, schedule: 'daily', next: null, firstSendDone: false }, now).text, '$(organization) Team: 2 queued · preview to send');
  assert.equal(teamStatusText({ waiting: 0, schedule: 'manual', next: null, firstSendDone: true }, now).text, '$(organization) Team: 0 queued · send manually');
  assert.equal(formatSendTime(new Date(2026, 11, 3, 9, 0), now), 'now', 'overdue is now');
  assert.equal(formatSendTime(new Date(2027, 0, 20, 9, 5), now), '2027-01-20 09:05');
  assert.match(teamStatusText({ waiting: 2, schedule: 'daily', next: now, firstSendDone: true, lastError: 'Cannot reach' }, now).tooltip, /Last send failed: Cannot reach/);
});

test('the audit log shows time, server, the exact payload and the response, newest first, in fences nothing can close', () => {
  const body = '{\n  "submission_id": "s-2",\n  "items": [{"client_id": "K-1", "text": "use ``` fences"}]\n}';
  const md = auditMarkdown([
    { at: '2026-12-01T09:00:00.000Z', server: 'http://a', submission_id: 's-1', body: '{}', response: { submission_id: 's-1', accepted: [], rejected: [], task_statements_accepted: 0, task_statements_rejected: 0 } },
    { at: '2026-12-02T09:00:00.000Z', server: 'http://a', submission_id: 's-2', body, response: { submission_id: 's-2', accepted: [{ client_id: 'K-1', item_id: 'T-9', status: 'waiting', duplicate_of_existing: false }], rejected: [], task_statements_accepted: 0, task_statements_rejected: 0 } },
  ], { path: '/tmp/audit.jsonl', unreadable: 1 });
  assert.ok(md.indexOf('s-2') < md.indexOf('`s-1`'), 'newest first');
  assert.ok(md.includes(`\`\`\`\`json\n${body}\n\`\`\`\``), 'the payload verbatim, in a fence longer than its backticks');
  assert.match(md, /2026-12-02 09:00:00Z · http:\/\/a/);
  assert.match(md, /"item_id": "T-9"/);
  assert.match(md, /1 line of the file could not be read/);
});

test('while joined, an accepted item offers Share with Team / Don\'t Share by its consent, and a sent one shows its team status', () => {
  const lens = (over: Parameters<typeof item>[2], joined = true) => lensesFor({ item: item('K-abcd1234', 'Run tests first.', { status: 'accepted', ...over }), tombstone: false, needsReview: false, flags: [] }, 'workspace', false, joined)
    .map((l) => l.command ?? l.title).filter((c) => c.includes('team') || c.includes('Team'));
  assert.deepEqual(lens({}), ['oel.team.share', 'oel.team.dontShare']);
  assert.deepEqual(lens({ share: 'yes' }), ['oel.team.dontShare']);
  assert.deepEqual(lens({ share: 'no' }), ['oel.team.share']);
  assert.deepEqual(lens({ share: 'yes', team: { id: 'T-9', status: 'admitted' } }), ['$(organization) team: admitted']);
  assert.deepEqual(lens({}, false), [], 'not joined: no team lenses');
  assert.deepEqual(lensesFor({ item: item('K-abcd1234', 'x', { status: 'pending' }), tombstone: false, needsReview: false, flags: [] }, 'workspace', false, true).filter((l) => l.command?.startsWith('oel.team')), [], 'pending items are accepted first');
  const d = (over: Parameters<typeof item>[2]) => itemDescription({ item: item('K-abcd1234', 'x', { status: 'accepted', ...over }), tombstone: false, needsReview: false, flags: [] }, 'workspace');
  assert.equal(d({ share: 'yes', team: { id: 'T-9', status: 'waiting' } }), 'team: waiting');
  assert.equal(d({ share: 'yes' }), 'to share');
});

test('a failed send offers the action that fixes it: Re-join for a revoked token or a changed key, the preview for 413/400', () => {
  assert.deepEqual(sendFailureActions('unauthorized'), ['Re-join']);
  assert.deepEqual(sendFailureActions('key_changed'), ['Re-join']);
  assert.deepEqual(sendFailureActions('too_large'), ['Open Preview']);
  assert.deepEqual(sendFailureActions('invalid'), ['Open Preview']);
  assert.deepEqual(sendFailureActions('network'), ['Try Again']);
});

test("the Knowledge view offers Share with Team only while joined, on items that may be shared, never read-only ones", () => {
  interface MenuEntry { command: string; when: string }
  const menus = (JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { menus: Record<string, MenuEntry[]> } }).contributes.menus;
  const when = (command: string) => menus['view/item/context'].find((m) => m.command === command)!.when;
  const offers = (command: string, viewItem: string, joined: boolean) => when(command).split('&&').map((c) => c.trim()).every((c) => {
    if (c === 'oel.team.joined') return joined;
    if (c === 'view == oel.knowledgeView') return true;
    const m = /^viewItem =~ \/(.+)\/$/.exec(c);
    if (m) return new RegExp(m[1]).test(viewItem);
    throw new Error(`unexpected clause ${c}`);
  });
  assert.equal(offers('oel.team.share', 'oel.knowledge.accepted', true), true);
  assert.equal(offers('oel.team.share', 'oel.knowledge.pinned', true), true);
  assert.equal(offers('oel.team.share', 'oel.knowledge.accepted', false), false, 'not joined');
  assert.equal(offers('oel.team.share', 'oel.knowledge.pending', true), false, 'pending items are accepted first');
  assert.equal(offers('oel.team.share', 'oel.knowledge.accepted.readonly', true), false, 'Restricted Mode');
  assert.equal(offers('oel.team.dontShare', 'oel.knowledge.pending', true), true, 'refusing consent is always possible');
  // Per-item commands stay out of the palette (they need an item); the team's own commands show only while joined.
  const palette = (command: string) => menus.commandPalette.find((m) => m.command === command)?.when;
  assert.equal(palette('oel.team.share'), 'false');
  assert.equal(palette('oel.team.sendPreviewed'), 'false');
  assert.equal(palette('oel.team.previewSubmission'), 'oel.team.joined');
  assert.equal(palette('oel.team.join'), undefined, 'Join is always available');
});

test('the schedule timer sends when the time has come, and after a failure waits 15 minutes before trying again', () => {
  const now = new Date(2026, 11, 3, 10, 0);
  const min = (m: number) => new Date(now.getTime() + m * 60_000);
  assert.equal(scheduledSendDue(null, now, null), false, 'manual, or before the first previewed send');
  assert.equal(scheduledSendDue(min(5), now, null), false, 'not yet');
  assert.equal(scheduledSendDue(now, now, null), true);
  assert.equal(scheduledSendDue(min(-60), now, min(-1)), false, 'failed a minute ago');
  assert.equal(scheduledSendDue(min(-60), now, min(-15)), true, 'tried again after 15 minutes');
});
