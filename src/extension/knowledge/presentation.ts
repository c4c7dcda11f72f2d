/**
 * How knowledge items present themselves in the Knowledge view and the file's CodeLens: their group, the
 * `contextValue` the view's menus match, the description after their text, and the lens row per status. Pure (no
 * `vscode` import), so the actions each kind of item offers are unit-tested against package.json's menus.
 */
import type { ItemLocation, KnowledgeItem, KnowledgeScope } from '../core';

/** A group of the tree. */
export type KnowledgeGroup = 'pending' | 'pinned' | 'accepted' | 'inactive' | 'pruned';

/** What a command receives from a tree node or a CodeLens: the item's id and the file it lives in. */
export interface ItemRef { id: string; scope: KnowledgeScope }

/** The group an entry belongs in. */
export function groupOf(e: { item: KnowledgeItem; tombstone: boolean }): KnowledgeGroup {
  return e.tombstone ? 'pruned' : e.item.status;
}

/** `contextValue` of an item node: `oel.knowledge.<group>[.flagged][.readonly]`, matched by the menus in package.json. */
export function itemContextValue(e: { item: KnowledgeItem; tombstone: boolean; readOnly: boolean }): string {
  return `oel.knowledge.${groupOf(e)}${e.item.flags.length ? '.flagged' : ''}${e.readOnly ? '.readonly' : ''}`;
}

/** The short description after an item's text: scope, evidence and why it is inactive. */
export function itemDescription(item: KnowledgeItem, scope: KnowledgeScope): string {
  const parts: string[] = [];
  if (scope === 'user') parts.push('user');
  if (item.helpful || item.harmful) parts.push(`+${item.helpful} −${item.harmful}`);
  if (item.status === 'inactive' && item.overBudget) parts.push('over prompt budget');
  if (item.flags.length) parts.push(item.flags.map((f) => f.kind).join(', '));
  return parts.join(' · ');
}

/** A lens: its title and command (no command: a label the user reads). */
export interface LensSpec { title: string; command?: string; tooltip: string }

/** The CodeLens row of one item, by its status. */
export function lensesFor(loc: Pick<ItemLocation, 'item' | 'tombstone'>, scope: KnowledgeScope, readOnly: boolean): LensSpec[] {
  const { item, tombstone } = loc;
  if (readOnly) return [{ title: '$(lock) read-only in Restricted Mode', tooltip: 'Trust the workspace to review its knowledge.' }];
  if (tombstone) return [
    { title: '$(discard) Restore', command: 'oel.knowledge.restore', tooltip: 'Bring the item back with the status it had' },
    { title: '$(history) Show Source', command: 'oel.knowledge.showSource', tooltip: 'Open the task it was learned from' },
  ];
  const out: LensSpec[] = [];
  for (const f of item.flags) out.push({ title: `$(warning) ${f.kind}: ${f.reason}`, tooltip: 'Flagged: never accepted automatically, never in the prompt until a person accepts it' });
  if (item.status === 'pending' || item.status === 'inactive') out.push({ title: '$(check) Accept', command: 'oel.knowledge.accept', tooltip: 'Use this item in the agent\'s prompt' });
  out.push({ title: '$(edit) Edit', command: 'oel.knowledge.edit', tooltip: 'Change the text' });
  if (item.status === 'pinned') out.push({ title: '$(pinned) Unpin', command: 'oel.knowledge.unpin', tooltip: 'Back to accepted' });
  else if (!item.flags.length) out.push({ title: '$(pin) Pin', command: 'oel.knowledge.pin', tooltip: 'Always put it in the prompt first' });
  out.push({ title: scope === 'workspace' ? '$(arrow-swap) Move to User' : '$(arrow-swap) Move to Workspace', command: 'oel.knowledge.moveScope', tooltip: scope === 'workspace' ? 'Keep it for yourself, in all workspaces' : 'Share it through this workspace\'s .oel/knowledge.md' });
  out.push({ title: '$(trash) Prune', command: 'oel.knowledge.prune', tooltip: 'Remove it; a tombstone keeps it from being learned again' });
  if (item.sources.length) out.push({ title: '$(history) Show Source', command: 'oel.knowledge.showSource', tooltip: 'Open the task it was learned from, at the step' });
  return out;
}
