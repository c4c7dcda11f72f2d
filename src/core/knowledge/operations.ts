/**
 * Edits of a knowledge document: add, accept, edit, pin/unpin, scope, prune to a tombstone, restore, and evidence
 * updates from an episode's citations and outcome. All functions mutate the given document in place and return
 * what they did; none touch the disk (see KnowledgeFileStore).
 */
import type { Episode } from '../trajectory/episode';
import { findConflicts, findDuplicate, type DuplicateMatch, type Embedder } from './dedup';
import { PRUNED_HEADING, allItems, liveItems, newItemId, oneLine, type KnowledgeDocument, type KnowledgeItem, type KnowledgeScope, type KnowledgeSource } from './format';
import { redactKnowledgeText, safetyFlags } from './safety';

/** Options of {@link addItem}. */
export interface AddOptions {
  now?: Date;
  /** Setting "accept new knowledge automatically": new unflagged items arrive accepted instead of pending. */
  autoAccept?: boolean;
  scope?: KnowledgeScope;
  sources?: KnowledgeSource[];
  /** Embeddings for dedup; lexical similarity when absent or failing. */
  embed?: Embedder;
  /** Literal secret values to redact (e.g. the configured API key). */
  knownSecrets?: readonly string[];
  /** Id to use (tests); a fresh one by default. */
  id?: string;
}

/** Outcome of {@link addItem}. */
export type AddResult = { added: true; item: KnowledgeItem } | { added: false; duplicateOf: DuplicateMatch };

function ts(now?: Date): string {
  return (now ?? new Date()).toISOString();
}

function findBlock(doc: KnowledgeDocument, id: string): { index: number; item: KnowledgeItem; tombstone: boolean } | null {
  const index = doc.blocks.findIndex((b) => b.kind === 'item' && b.item.id === id);
  if (index < 0) return null;
  const b = doc.blocks[index];
  return b.kind === 'item' ? { index, item: b.item, tombstone: b.tombstone } : null;
}

/** The live item with this id, or null (tombstones are not returned). */
export function getItem(doc: KnowledgeDocument, id: string): KnowledgeItem | null {
  const f = findBlock(doc, id);
  return f && !f.tombstone ? f.item : null;
}

/** Inserts a live item after the last live one (or before `## Pruned`, or at the end). */
export function insertLive(doc: KnowledgeDocument, item: KnowledgeItem): void {
  let lastLive = -1;
  let pruned = -1;
  doc.blocks.forEach((b, i) => {
    if (b.kind === 'item' && !b.tombstone) lastLive = i;
    if (b.kind === 'pruned-heading' && pruned < 0) pruned = i;
  });
  const at = lastLive >= 0 ? lastLive + 1 : pruned >= 0 ? pruned : doc.blocks.length;
  doc.blocks.splice(at, 0, { kind: 'item', item, tombstone: false });
}

/** Inserts a tombstone at the end of the `## Pruned` section, creating the section if needed. */
export function insertTombstone(doc: KnowledgeDocument, item: KnowledgeItem): void {
  let heading = doc.blocks.findIndex((b) => b.kind === 'pruned-heading');
  if (heading < 0) {
    const last = doc.blocks[doc.blocks.length - 1];
    if (last && !(last.kind === 'text' && last.lines[last.lines.length - 1] === '')) doc.blocks.push({ kind: 'text', lines: [''] });
    doc.blocks.push({ kind: 'pruned-heading', line: PRUNED_HEADING }, { kind: 'text', lines: [''] });
    heading = doc.blocks.length - 2;
  }
  let at = heading + 1;
  if (doc.blocks[at]?.kind === 'text') at++;
  while (doc.blocks[at]?.kind === 'item') at++;
  doc.blocks.splice(at, 0, { kind: 'item', item, tombstone: true });
}

/**
 * Adds a new item from text: redacts secrets, flags unsafe content and conflicts, and refuses duplicates of live items
 * or tombstones. New items are pending, or accepted when `autoAccept` is set and nothing was flagged.
 */
export async function addItem(doc: KnowledgeDocument, text: string, opts: AddOptions = {}): Promise<AddResult> {
  const clean = oneLine(redactKnowledgeText(text, opts.knownSecrets));
  const live = liveItems(doc);
  // Opposite advice on the same subject is lexically close; check contradiction first so it is flagged, not dropped.
  const conflicts = findConflicts(clean, live);
  const dup = await findDuplicate(clean, allItems(doc).filter((e) => !conflicts.includes(e.item.id)), opts.embed);
  if (dup) return { added: false, duplicateOf: dup };
  const flags = safetyFlags(clean);
  const id = opts.id ?? uniqueId(doc);
  for (const c of conflicts) {
    flags.push({ kind: 'conflict', reason: `contradicts ${c}` });
    const other = live.find((x) => x.id === c);
    if (other && !other.flags.some((f) => f.kind === 'conflict' && f.reason.includes(id))) {
      other.flags.push({ kind: 'conflict', reason: `contradicts ${id}` });
      other.updated = ts(opts.now);
    }
  }
  const now = ts(opts.now);
  const item: KnowledgeItem = {
    id,
    status: opts.autoAccept && flags.length === 0 ? 'accepted' : 'pending',
    text: clean,
    scope: opts.scope ?? 'workspace',
    sources: opts.sources ?? [],
    created: now,
    updated: now,
    helpful: 0,
    harmful: 0,
    consolidated: false,
    flags,
    extra: [],
  };
  insertLive(doc, item);
  return { added: true, item };
}

function uniqueId(doc: KnowledgeDocument): string {
  const ids = new Set(allItems(doc).map((x) => x.item.id));
  for (;;) {
    const id = newItemId();
    if (!ids.has(id)) return id;
  }
}

function mutate(doc: KnowledgeDocument, id: string, now: Date | undefined, f: (item: KnowledgeItem) => void): boolean {
  const item = getItem(doc, id);
  if (!item) return false;
  f(item);
  item.updated = ts(now);
  return true;
}

/**
 * Accepts a pending or inactive item; a pinned one stays pinned. A person reviewed it, so the flags the file noted are
 * cleared; the review itself is recorded outside the file (see review.ts), since a file's word is never trusted.
 * Returns false if not found.
 */
export function acceptItem(doc: KnowledgeDocument, id: string, now?: Date): boolean {
  return mutate(doc, id, now, (i) => {
    if (i.status !== 'pinned') i.status = 'accepted';
    i.flags = [];
    delete i.overBudget;
  });
}

/** Replaces an item's text (redacted, re-flagged; a flagged edit goes back to pending). */
export function editItemText(doc: KnowledgeDocument, id: string, text: string, now?: Date, knownSecrets?: readonly string[]): boolean {
  return mutate(doc, id, now, (i) => {
    i.text = oneLine(redactKnowledgeText(text, knownSecrets));
    i.flags = safetyFlags(i.text);
    if (i.flags.length && i.status !== 'inactive') i.status = 'pending';
    if (i.flags.length) delete i.overBudget;
  });
}

/** Pins an item (always selected first) or unpins it back to accepted. */
export function setPinned(doc: KnowledgeDocument, id: string, pinned: boolean, now?: Date): boolean {
  return mutate(doc, id, now, (i) => {
    i.status = pinned ? 'pinned' : 'accepted';
    delete i.overBudget;
  });
}

/** Sets an item's scope (moving it between files is {@link moveItem}). */
export function setScope(doc: KnowledgeDocument, id: string, scope: KnowledgeScope, now?: Date): boolean {
  return mutate(doc, id, now, (i) => {
    i.scope = scope;
  });
}

/** Moves a live item from one document to another (workspace file <-> user file), setting its scope. */
export function moveItem(from: KnowledgeDocument, to: KnowledgeDocument, id: string, scope: KnowledgeScope, now?: Date): boolean {
  const f = findBlock(from, id);
  if (!f || f.tombstone || findBlock(to, id)) return false;
  from.blocks.splice(f.index, 1);
  f.item.scope = scope;
  f.item.updated = ts(now);
  insertLive(to, f.item);
  return true;
}

/** Prunes a live item into a tombstone under `## Pruned` (kept for dedup, restorable). */
export function pruneItem(doc: KnowledgeDocument, id: string, now?: Date): boolean {
  const f = findBlock(doc, id);
  if (!f || f.tombstone) return false;
  doc.blocks.splice(f.index, 1);
  f.item.pruned = ts(now);
  f.item.updated = f.item.pruned;
  insertTombstone(doc, f.item);
  return true;
}

/** Restores a tombstone to a live item with the status it had when pruned. */
export function restoreItem(doc: KnowledgeDocument, id: string, now?: Date): boolean {
  const f = findBlock(doc, id);
  if (!f || !f.tombstone) return false;
  doc.blocks.splice(f.index, 1);
  delete f.item.pruned;
  f.item.updated = ts(now);
  insertLive(doc, f.item);
  return true;
}

/** One evidence signal for an item. */
export interface Evidence { id: string; kind: 'helpful' | 'harmful' }

/** Adds evidence counts to live items; unknown ids are ignored. Returns the ids changed. */
export function applyEvidence(doc: KnowledgeDocument, evidence: Evidence[], now?: Date): string[] {
  const changed: string[] = [];
  for (const e of evidence) {
    if (mutate(doc, e.id, now, (i) => { i[e.kind]++; })) changed.push(e.id);
  }
  return changed;
}

/**
 * How a finished task turned out: `good` when it completed with no thumbs-down and no rejected edit, `bad` on a
 * thumbs-down, an error or hitting max steps, `neutral` otherwise (stopped by the user, or still running).
 */
export function episodeOutcome(ep: Episode): 'good' | 'bad' | 'neutral' {
  const feedback = [...ep.steps].reverse().find((s) => s.kind === 'feedback');
  if (feedback?.kind === 'feedback') return feedback.rating === 'up' ? 'good' : 'bad';
  if (ep.endReason === 'error' || ep.endReason === 'max_steps') return 'bad';
  const rejected = ep.steps.some((s) => s.kind === 'edit' && !s.accepted);
  if (ep.endReason === 'completed') return rejected ? 'neutral' : 'good';
  return 'neutral';
}

/**
 * Evidence from an episode: each cited id counts helpful on a good outcome, harmful on a bad one. `fromStep` skips
 * citations before that step index, so an episode learned again after a follow-up does not count them twice.
 */
export function evidenceFromEpisode(ep: Episode, fromStep = 0): Evidence[] {
  const outcome = episodeOutcome(ep);
  if (outcome === 'neutral') return [];
  const cited = new Set<string>();
  ep.steps.forEach((s, i) => {
    if (i >= fromStep && s.kind === 'citation') for (const id of s.itemIds) cited.add(id);
  });
  return [...cited].map((id) => ({ id, kind: outcome === 'good' ? 'helpful' : 'harmful' }));
}
