import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { groupOf, itemContextValue, itemDescription, lensesFor } from '../../../src/extension/knowledge/presentation';
import type { KnowledgeItem, KnowledgeStatus } from '../../../src/core/knowledge/format';
import { item } from '../knowledge/helpers';

interface MenuEntry { command: string; when: string; group?: string }
const menus = (JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { menus: Record<string, MenuEntry[]> } }).contributes.menus['view/item/context'];

/** Evaluates the `when` clauses package.json uses for tree items (`view == X`, `viewItem == X`, `viewItem =~ /re/`). */
function when(clause: string, ctx: { view: string; viewItem: string }): boolean {
  return clause.split('&&').map((c) => c.trim()).every((c) => {
    let m = /^(view|viewItem) == (\S+)$/.exec(c);
    if (m) return ctx[m[1] as 'view' | 'viewItem'] === m[2];
    m = /^viewItem =~ \/(.+)\/$/.exec(c);
    if (m) return new RegExp(m[1]).test(ctx.viewItem);
    throw new Error(`when clause this test cannot read: ${c}`);
  });
}

/** The commands the Knowledge view offers on a node: inline (hover icons) or in its context menu. */
function actions(viewItem: string, where: 'inline' | 'menu'): string[] {
  return menus
    .filter((m) => when(m.when, { view: 'oel.knowledgeView', viewItem }) && (where === 'inline') === (m.group ?? '').startsWith('inline'))
    .map((m) => m.command.replace('oel.knowledge.', ''))
    .sort();
}

const flagged: Partial<KnowledgeItem> = { flags: [{ kind: 'command', reason: 'backticked shell command' }] };
const sourced: Partial<KnowledgeItem> = { sources: [{ episode: '20260101T000000Z-abcd1234', step: 2 }] };
const node = (status: KnowledgeStatus, over: Partial<KnowledgeItem> = {}, tombstone = false, readOnly = false) => {
  const it = item('K-abcd1234', 'Check loop bounds first.', { status, ...sourced, ...over });
  return { it, tombstone, readOnly, viewItem: itemContextValue({ item: it, tombstone, readOnly }) };
};

test('each kind of item offers the review actions a reviewer needs, inline and in the menu', () => {
  const cases: [ReturnType<typeof node>, string[], string[]][] = [
    [node('pending'), ['accept', 'prune'], ['accept', 'edit', 'moveScope', 'pin', 'prune', 'reveal', 'showSource']],
    [node('pending', flagged), ['accept', 'prune'], ['accept', 'edit', 'moveScope', 'prune', 'reveal', 'showSource']],
    [node('accepted'), ['pin', 'prune'], ['edit', 'moveScope', 'pin', 'prune', 'reveal', 'showSource']],
    [node('accepted', flagged), ['prune'], ['edit', 'moveScope', 'prune', 'reveal', 'showSource']],
    [node('pinned'), ['prune', 'unpin'], ['edit', 'moveScope', 'prune', 'reveal', 'showSource', 'unpin']],
    // A pinned item flagged later (a conflicting item arrived) can still be unpinned.
    [node('pinned', flagged), ['prune', 'unpin'], ['edit', 'moveScope', 'prune', 'reveal', 'showSource', 'unpin']],
    [node('inactive'), ['accept', 'pin', 'prune'], ['accept', 'edit', 'moveScope', 'pin', 'prune', 'reveal', 'showSource']],
    [node('accepted', {}, true), ['restore'], ['restore', 'reveal', 'showSource']],
    // Restricted Mode: look, never change.
    [node('pending', {}, false, true), [], ['reveal', 'showSource']],
    [node('pinned', {}, false, true), [], ['reveal', 'showSource']],
    [node('accepted', {}, true, true), [], ['reveal', 'showSource']],
  ];
  for (const [n, inline, menu] of cases) {
    assert.deepEqual(actions(n.viewItem, 'inline'), inline, `inline actions of ${n.viewItem}`);
    assert.deepEqual(actions(n.viewItem, 'menu'), menu, `menu of ${n.viewItem}`);
  }
});

test('the CodeLens row above an item offers what the view\'s menu offers (Reveal aside: the lens is in the file)', () => {
  for (const status of ['pending', 'accepted', 'pinned', 'inactive'] as const) {
    for (const over of [{}, flagged]) {
      for (const tombstone of [false, true]) {
        const n = node(status, over, tombstone);
        const lensCommands = lensesFor({ item: n.it, tombstone }, 'workspace', false).flatMap((l) => (l.command ? [l.command.replace('oel.knowledge.', '')] : [])).sort();
        assert.deepEqual(lensCommands, actions(n.viewItem, 'menu').filter((c) => c !== 'reveal'), `lenses of ${n.viewItem}`);
      }
    }
  }
  // A flagged item's lens row starts with the reason; a read-only file shows only a label.
  const f = node('pending', flagged);
  assert.equal(lensesFor({ item: f.it, tombstone: false }, 'workspace', false)[0].title, '$(warning) command: backticked shell command');
  assert.deepEqual(lensesFor({ item: f.it, tombstone: false }, 'workspace', true).map((l) => l.command), [undefined]);
  // Move names the other scope; Show Source needs a recorded source.
  const u = lensesFor({ item: item('K-abcd1234', 'x', { status: 'accepted' }), tombstone: false }, 'user', false).map((l) => l.title);
  assert.ok(u.includes('$(arrow-swap) Move to Workspace') && !u.some((t) => t.includes('Show Source')), JSON.stringify(u));
});

test('groups and descriptions', () => {
  assert.equal(groupOf({ item: item('K-abcd', 'x', { status: 'pinned' }), tombstone: false }), 'pinned');
  assert.equal(groupOf({ item: item('K-abcd', 'x', { status: 'pinned' }), tombstone: true }), 'pruned');
  assert.equal(itemDescription(item('K-abcd', 'x'), 'workspace'), '');
  assert.equal(itemDescription(item('K-abcd', 'x', { status: 'inactive', overBudget: true, helpful: 3, harmful: 1, ...flagged }), 'user'), 'user · +3 −1 · over prompt budget · command');
});
