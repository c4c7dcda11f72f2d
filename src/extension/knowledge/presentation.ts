/**
 * How knowledge items present themselves in the Knowledge view and the file's CodeLens: their group, the
 * `contextValue` the view's menus match, the description after their text, and the lens row per status. Pure (no
 * `vscode` import), so the actions each kind of item offers are unit-tested against package.json's menus.
 */
import type { ItemLocation, KnowledgeFlag, KnowledgeItem, KnowledgeScope } from '../core';

/** A group of the tree. */
export type KnowledgeGroup = 'pending' | 'pinned' | 'accepted' | 'inactive' | 'pruned';

/** What a command receives from a tree node or a CodeLens: the item's id and the file it lives in. */
export interface ItemRef { id: string; scope: KnowledgeScope }

/** An item as the view sees it: where it is, and how it stands with this machine's reviews (knowledgeFiles.ts). */
export interface ItemState {
  item: KnowledgeItem;
  tombstone: boolean;
  /** Flagged (computed from its text, or noted in the file) and not reviewed on this machine as it reads now. */
  needsReview: boolean;
}

/**
 * The group an entry belongs in. An item waiting for a review is pending whatever status the file gives it: a file
 * that came with the repository cannot make its own items accepted. An item set inactive by hand stays inactive.
 */
export function groupOf(e: ItemState): KnowledgeGroup {
  if (e.tombstone) return 'pruned';
  if (e.needsReview && !(e.item.status === 'inactive' && !e.item.overBudget)) return 'pending';
  return e.item.status;
}

/** Whether the file says an item is in use (accepted or pinned) though it still waits for a review on this machine. */
function acceptedButUnreviewed(e: ItemState): boolean {
  return e.needsReview && (e.item.status === 'accepted' || e.item.status === 'pinned' || e.item.overBudget === true);
}

/** `contextValue` of an item node: `oel.knowledge.<group>[.flagged][.readonly]`, matched by the menus in package.json. */
export function itemContextValue(e: ItemState & { readOnly: boolean }): string {
  return `oel.knowledge.${groupOf(e)}${e.needsReview ? '.flagged' : ''}${e.readOnly ? '.readonly' : ''}`;
}

/** The short description after an item's text: scope, evidence, why it is inactive, and what waits for review. */
export function itemDescription(e: ItemState & { flags: KnowledgeFlag[] }, scope: KnowledgeScope): string {
  const { item } = e;
  const parts: string[] = [];
  if (scope === 'user') parts.push('user');
  if (item.helpful || item.harmful) parts.push(`+${item.helpful} −${item.harmful}`);
  if (item.status === 'inactive' && item.overBudget && !e.needsReview) parts.push('over prompt budget: used when relevant');
  if (acceptedButUnreviewed(e)) parts.push(`marked ${item.status} in the file, not reviewed on this machine`);
  if (e.needsReview) parts.push([...new Set(e.flags.map((f) => f.kind))].join(', '));
  // Absorbed by the active team adapter: the item stays in the file but leaves the prompt (the model carries it).
  if (item.consolidated !== false) parts.push(`absorbed in ${absorbedLabel(item.consolidated)}`);
  const team = teamLabel(item);
  if (team) parts.push(team);
  return parts.join(' · ');
}

/** `127.0.0.1_8787#3` → `adapter v3`; any other (hand-written) mark made plain and short. */
export function absorbedLabel(mark: string): string {
  const m = /#(\d{1,9})$/.exec(mark);
  return m ? `adapter v${m[1]}` : mark.replace(/[^\w.:@#-]+/g, '_').slice(0, 40);
}

/**
 * Where an item stands with the team, from its metadata: `team: <id> <status>` after it was sent, else its consent
 * (`share:`). Empty when the item says nothing about sharing (the workspace default applies).
 */
export function teamLabel(item: Pick<KnowledgeItem, 'share' | 'team'>): string {
  if (item.team) return `team: ${item.team.status}`;
  if (item.share === 'yes') return 'to share';
  if (item.share === 'no') return 'not shared';
  return '';
}

/** A lens: its title and command (no command: a label the user reads). */
export interface LensSpec { title: string; command?: string; tooltip: string }

/**
 * The CodeLens row of one item, by its group and review state (`flags` as computed now). With `teamJoined`, an item
 * that may be shared (accepted, pinned or set aside by the budget, reviewed, not yet sent) gets the consent lenses.
 */
export function lensesFor(loc: Pick<ItemLocation, 'item' | 'tombstone'> & { needsReview: boolean; flags: KnowledgeFlag[] }, scope: KnowledgeScope, readOnly: boolean, teamJoined = false): LensSpec[] {
  const { item, tombstone } = loc;
  const group = groupOf(loc);
  if (readOnly) return [{ title: '$(lock) read-only in Restricted Mode', tooltip: 'Trust the workspace to review its knowledge.' }];
  if (tombstone) return [
    { title: '$(discard) Restore', command: 'oel.knowledge.restore', tooltip: 'Bring the item back with the status it had' },
    { title: '$(history) Show Source', command: 'oel.knowledge.showSource', tooltip: 'Open the task it was learned from' },
  ];
  const out: LensSpec[] = [];
  if (acceptedButUnreviewed(loc)) out.push({ title: `$(shield) ${item.status} in the file, not reviewed on this machine`, tooltip: 'Kept out of the prompt until you accept it here: a knowledge file that came with the repository cannot accept its own items' });
  if (loc.needsReview) for (const f of loc.flags) out.push({ title: `$(warning) ${f.kind}: ${f.reason}`, tooltip: 'Flagged: never accepted automatically, never in the prompt until a person accepts it' });
  if (group === 'pending' || group === 'inactive') out.push({ title: '$(check) Accept', command: 'oel.knowledge.accept', tooltip: 'Use this item in the agent\'s prompt' });
  out.push({ title: '$(edit) Edit', command: 'oel.knowledge.edit', tooltip: 'Change the text' });
  if (group === 'pinned') out.push({ title: '$(pinned) Unpin', command: 'oel.knowledge.unpin', tooltip: 'Back to accepted' });
  else if (!loc.needsReview) out.push({ title: '$(pin) Pin', command: 'oel.knowledge.pin', tooltip: 'Always put it in the prompt first' });
  out.push({ title: scope === 'workspace' ? '$(arrow-swap) Move to User' : '$(arrow-swap) Move to Workspace', command: 'oel.knowledge.moveScope', tooltip: scope === 'workspace' ? 'Keep it for yourself, in all workspaces' : 'Share it through this workspace\'s .oel/knowledge.md' });
  out.push({ title: '$(trash) Prune', command: 'oel.knowledge.prune', tooltip: 'Remove it; a tombstone keeps it from being learned again' });
  if (item.sources.length) out.push({ title: '$(history) Show Source', command: 'oel.knowledge.showSource', tooltip: 'Open the task it was learned from, at the step' });
  if (teamJoined) out.push(...teamLenses(loc, group));
  return out;
}

/** The team lenses: the item's team status once sent, else Share with Team / Don't Share as its consent allows. */
function teamLenses(loc: Pick<ItemLocation, 'item'> & { needsReview: boolean }, group: KnowledgeGroup): LensSpec[] {
  const { item } = loc;
  if (item.team) return [{ title: `$(organization) team: ${item.team.status}`, tooltip: `Shared; the team server's item ${item.team.id} is ${item.team.status}` }];
  if (loc.needsReview || group === 'pending' || item.consolidated !== false) return [];
  const out: LensSpec[] = [];
  if (item.share !== 'yes') out.push({ title: '$(cloud-upload) Share with Team', command: 'oel.team.share', tooltip: 'Consent to send this item (anonymized) in the next team submission; recorded as share: yes' });
  if (item.share !== 'no') out.push({ title: '$(circle-slash) Don\'t Share', command: 'oel.team.dontShare', tooltip: 'Never send this item to the team; recorded as share: no' });
  return out;
}

/** Past tasks by episode id, as hovers name them (from the History index). */
export type TaskTitles = ReadonlyMap<string, string>;

/**
 * Where an item was learned, in words: `Learned from "fix subtotal" (step 3)`, one task per source; a task no longer
 * in this workspace's history is said so instead of showing its internal id. Plain text (the caller escapes it).
 */
export function sourcesText(sources: readonly { episode: string; step: number }[], titles: TaskTitles): string {
  const named = sources.map((s) => {
    const title = titles.get(s.episode);
    return `${title === undefined ? 'a task no longer in the history' : `"${title}"`} (step ${s.step})`;
  });
  return named.length ? `Learned from ${named.join(', ')}` : '';
}

/** An ISO time in the user's local date and time; the input itself when it does not parse. */
export function localTimeText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** "Created <local time> · updated <local time>", or '' without a creation time. */
export function timesText(created: string | undefined, updated: string | undefined): string {
  if (!created) return '';
  return `Created ${localTimeText(created)}${updated ? ` · updated ${localTimeText(updated)}` : ''}`;
}
