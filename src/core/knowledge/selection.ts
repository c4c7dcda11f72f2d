/**
 * Which items go into the agent's system prompt, and the exact text inserted. Per request: pinned items first, then
 * items relevant to the request and the files in play (src/core/knowledge/relevance.ts) weighed by their evidence,
 * then items with good evidence, within a token budget; when every eligible item fits, all go in, in the global order.
 * Without a request (budget marks, `oel knowledge prompt` without `--request`) the order is global: pinned, evidence
 * (helpful − harmful), most recently updated. Follow-up messages keep the slot unless they bring relevant items
 * ({@link knowledgeForPrompt}). Items that do not fit the global order are reported inactive; {@link budgetMarks} and
 * {@link applyBudgetMarks} write that to the file (`[inactive]` plus `inactive: budget`) and re-activate such items
 * once they fit again; per request they are still chosen when relevant.
 */
import { createHash } from 'node:crypto';
import type { ChosenItem, KnowledgeInContext } from './knowledgeContext';
import { ITEM_ID_RE, liveItems, parseKnowledge, type KnowledgeDocument, type KnowledgeItem } from './format';
import { filesInPlay, lexicalRelevance, type RelevanceResult } from './relevance';
import { NO_REVIEWS, itemFlags, itemTextHash, needsReview, type ReviewLookup } from './review';
import { approxTokens } from './tokens';

export { approxTokens } from './tokens';

/** Default token budget of the knowledge slot. */
export const DEFAULT_KNOWLEDGE_BUDGET = 2000;

/** Text placed before the items. */
export const KNOWLEDGE_PREAMBLE =
  'The following is knowledge learned from earlier tasks in this environment. It is learned experience: it may be ' +
  'incomplete or wrong, so prefer what you observe now when they disagree. When an item helps you, cite its id ' +
  '(for example [K-abcd1234]) in your answer.';

/** The line an item occupies in the prompt. */
export function promptLine(item: KnowledgeItem): string {
  return `- [${item.id}] ${item.text}`;
}

/** The items of a knowledge slot text, read back from its {@link promptLine}s (the preamble is skipped). */
export function promptItems(text: string): { id: string; text: string }[] {
  return [...text.matchAll(/^- \[(\S+)\] (.*)$/gm)].filter((m) => ITEM_ID_RE.test(m[1])).map((m) => ({ id: m[1], text: m[2] }));
}

/** Why an item is in the slot ({@link ChosenItem}'s `reason`). */
export type ChoiceReason = 'pinned' | 'file' | 'request' | 'evidence' | 'fits' | 'order';

/** An item of a selection, with its score and why it was chosen. */
export interface Choice { item: KnowledgeItem; score: number; reason: ChoiceReason; why: string }

/** Result of {@link selectForPrompt}. */
export interface Selection {
  /** Items chosen, in prompt order. */
  selected: KnowledgeItem[];
  /** The same items with their scores and reasons. */
  chosen: Choice[];
  /** Eligible items left out (the budget was spent, or they are unrelated to the request). */
  inactive: KnowledgeItem[];
  /** Estimated tokens of the whole inserted text (preamble included) as budgeted, 0 when nothing is selected. */
  tokens: number;
}

/** Whether the file's status puts an item forward for the prompt: accepted, pinned, or set aside only for the budget. */
export function isActive(item: KnowledgeItem): boolean {
  return item.status === 'accepted' || item.status === 'pinned' || (item.status === 'inactive' && item.overBudget === true);
}

/**
 * Whether an item may go into a prompt at all: {@link isActive}, not absorbed by an active adapter (`consolidated`;
 * the model knows it from its weights), and either unflagged or reviewed by a person as its text reads now. Flags are computed from the text here, whatever the file says ({@link needsReview}), so an
 * `[accepted]` item that arrived by git with no `flag:` lines still waits for a review. Pending items and items made
 * inactive by hand never are.
 */
export function isEligible(item: KnowledgeItem, reviews: ReviewLookup = NO_REVIEWS): boolean {
  return isActive(item) && item.consolidated === false && !needsReview(item, reviews);
}

/** Orders items: pinned first, then helpful − harmful (higher first), then most recently updated, then id. */
export function compareForPrompt(a: KnowledgeItem, b: KnowledgeItem): number {
  const pin = Number(b.status === 'pinned') - Number(a.status === 'pinned');
  if (pin) return pin;
  const ev = b.helpful - b.harmful - (a.helpful - a.harmful);
  if (ev) return ev;
  const ua = a.updated ?? a.created ?? '';
  const ub = b.updated ?? b.created ?? '';
  if (ua !== ub) return ua < ub ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** How much evidence moves a relevance score: ×(1 + 0.05 × (helpful − harmful)), kept within ×0.5 … ×1.5. */
export function evidenceWeight(item: KnowledgeItem): number {
  return Math.min(1.5, Math.max(0.5, 1 + 0.05 * (item.helpful - item.harmful)));
}

/** Added to the relevance of an item that names a file in play: the strongest sign that it applies. */
export const FILE_BONUS = 0.5;

// Token counts of prompt lines, by item: the same parsed items are costed for every task. The id and text are
// compared on use, so an item edited in place is costed afresh.
const lineCosts = new WeakMap<KnowledgeItem, { id: string; text: string; cost: number }>();
/** Tokens an item adds to the slot: its line and the newline before it. */
export function lineCost(item: KnowledgeItem): number {
  const hit = lineCosts.get(item);
  if (hit && hit.id === item.id && hit.text === item.text) return hit.cost;
  const cost = approxTokens(promptLine(item)) + 1;
  lineCosts.set(item, { id: item.id, text: item.text, cost });
  return cost;
}

/**
 * Sorts by `score` (higher first), then in {@link compareForPrompt} order, on keys taken once per entry: a comparator
 * runs ~10,000 times for 1,000 items, and reading the keys each time was most of the cost of a selection.
 */
function sortedBy<T>(entries: T[], itemOf: (e: T) => KnowledgeItem, scoreOf: (e: T) => number = () => 0): T[] {
  const keyed = entries.map((e) => {
    const item = itemOf(e);
    return { e, score: scoreOf(e), pin: item.status === 'pinned' ? 1 : 0, net: item.helpful - item.harmful, at: item.updated ?? item.created ?? '', id: item.id };
  });
  keyed.sort((a, b) => b.score - a.score || b.pin - a.pin || b.net - a.net || (a.at === b.at ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.at < b.at ? 1 : -1));
  return keyed.map((k) => k.e);
}

/** Items in {@link compareForPrompt} order. */
function inPromptOrder(items: KnowledgeItem[]): KnowledgeItem[] {
  return sortedBy(items, (i) => i);
}

/** Tokens of the preamble and its newline: what a non-empty slot costs before any item. */
export function preambleCost(): number {
  return PREAMBLE_COST;
}
const PREAMBLE_COST = approxTokens(KNOWLEDGE_PREAMBLE) + 1;

const round3 = (n: number) => Math.round(n * 1000) / 1000;

function evidenceWords(item: KnowledgeItem): string {
  return `helpful ${item.helpful}, harmful ${item.harmful}`;
}

/** Scores and explains an item for a request (relevance × evidence weight), or null when it is unrelated. */
function relevantChoice(item: KnowledgeItem, relevance: RelevanceResult): Choice | null {
  const r = relevance.scores.get(item.id);
  if (!r || (r.score <= 0 && !r.files.length)) return null;
  const score = round3((r.score + (r.files.length ? FILE_BONUS : 0)) * evidenceWeight(item));
  const match = relevance.ranker === 'embedding' ? `close in meaning to the request (${round3(r.score)})`
    : r.terms.length ? `matches the request on ${r.terms.slice(0, 5).join(', ')}`
      : `shares ${r.related.slice(0, 3).join(', ')} with the items that match the request best`;
  if (r.files.length) return { item, score, reason: 'file', why: `names ${r.files.join(', ')}${r.score > 0 ? `; ${match}` : ''}` };
  return { item, score, reason: 'request', why: match };
}

/**
 * Selects eligible items ({@link isEligible} under `reviews`) for the prompt within `budgetTokens` (preamble
 * included); one that does not fit is skipped, and smaller ones after it may still fit.
 *
 * With `relevance` (a request): every eligible item when all fit, in {@link compareForPrompt} order, so the slot is
 * the same for every task; otherwise pinned items, then items relevant to the request or naming a file in play by
 * score, then items with positive evidence; the rest stay out. Without `relevance`: the global
 * {@link compareForPrompt} order until the budget is spent.
 */
export function selectForPrompt(items: KnowledgeItem[], budgetTokens = DEFAULT_KNOWLEDGE_BUDGET, reviews: ReviewLookup = NO_REVIEWS, relevance: RelevanceResult | null = null): Selection {
  const eligible = items.filter((i) => isEligible(i, reviews));
  const orderChoice = (item: KnowledgeItem): Choice => item.status === 'pinned'
    ? { item, score: 0, reason: 'pinned', why: 'pinned' }
    : { item, score: 0, reason: 'order', why: `no request: by evidence (${evidenceWords(item)}), then most recently updated` };
  // Candidates come in groups, each ordered only when the budget still has room for it: with a request, ordering
  // the items that did not match it costs more than everything else and is rarely needed.
  let groups: (() => Choice[])[];
  let smallest = 0; // the smallest line cost, once known: with less room left, nothing else fits
  if (!relevance) groups = [() => inPromptOrder(eligible).map(orderChoice)];
  else {
    const related = new Map<KnowledgeItem, Choice>();
    let total = PREAMBLE_COST;
    smallest = Infinity;
    for (const item of eligible) {
      const cost = lineCost(item);
      total += cost;
      smallest = Math.min(smallest, cost);
      const c = relevantChoice(item, relevance);
      if (c) related.set(item, c);
    }
    const pinnedChoice = (item: KnowledgeItem): Choice => ({ item, score: related.get(item)?.score ?? 0, reason: 'pinned', why: 'pinned' });
    if (total <= budgetTokens) {
      // Everything fits: the global order, so the slot is the same for every task; the reasons still say what matched.
      groups = [() => inPromptOrder(eligible).map((item) => item.status === 'pinned' ? pinnedChoice(item) : related.get(item)
        ?? (item.helpful - item.harmful > 0 ? { item, score: 0, reason: 'evidence', why: `helped in earlier tasks (${evidenceWords(item)})` } : { item, score: 0, reason: 'fits', why: 'every eligible item fits the budget' }))];
    } else {
      groups = [
        () => inPromptOrder(eligible.filter((i) => i.status === 'pinned')).map(pinnedChoice),
        () => sortedBy([...related.values()].filter((c) => c.item.status !== 'pinned'), (c) => c.item, (c) => c.score),
        () => inPromptOrder(eligible.filter((i) => i.status !== 'pinned' && !related.has(i) && i.helpful - i.harmful > 0))
          .map((item): Choice => ({ item, score: 0, reason: 'evidence', why: `helped in earlier tasks (${evidenceWords(item)}); not matched to the request` })),
      ];
    }
  }
  const chosen: Choice[] = [];
  let used = PREAMBLE_COST;
  for (const group of groups) {
    if (budgetTokens - used < smallest) break;
    for (const c of group()) {
      const cost = lineCost(c.item);
      if (used + cost > budgetTokens) continue;
      chosen.push(c);
      used += cost;
    }
  }
  const selected = chosen.map((c) => c.item);
  const inSlot = new Set(selected);
  return { selected, chosen, inactive: eligible.filter((i) => !inSlot.has(i)), tokens: selected.length ? used : 0 };
}

/** The text inserted in the knowledge slot for these items. */
export function renderKnowledge(items: KnowledgeItem[]): string {
  return [KNOWLEDGE_PREAMBLE, ...items.map(promptLine)].join('\n');
}

/** Content hash (sha256, first 16 hex) of the given file texts, used as the knowledge `version`. */
export function contentHash(texts: string[]): string {
  const h = createHash('sha256');
  for (const t of texts) h.update(t).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** A chosen item as the trajectory records it. */
function chosenRecord(c: Choice): ChosenItem {
  return { id: c.item.id, score: c.score, reason: c.reason, why: c.why };
}

/**
 * Builds the knowledge-in-context record for the selected items, or null when none are selected. `chosen` (the same
 * items with their reasons, in the same order) and `ranker` are recorded when given.
 */
export function buildKnowledgeInContext(selected: KnowledgeItem[], version: string, chosen?: Choice[], ranker?: string): KnowledgeInContext | null {
  if (selected.length === 0) return null;
  const text = renderKnowledge(selected);
  return {
    version, itemIds: selected.map((i) => i.id), text, tokens: approxTokens(text),
    ...(ranker ? { ranker } : {}), ...(chosen ? { chosen: chosen.map(chosenRecord) } : {}),
  };
}

// The items of the last file texts parsed: the provider reads the files for every task and message, and they rarely
// change in between (parsing 1,000 items takes ~5 ms, more than choosing among them).
let parsed: { key: string[]; items: readonly KnowledgeItem[] } | null = null;

/**
 * The live items of knowledge file texts, highest priority first: an id found in more than one is taken from the
 * first. The result is shared by calls with the same texts: read it, never change it.
 */
export function knowledgeItems(texts: string[]): KnowledgeItem[] {
  if (parsed && parsed.key.length === texts.length && parsed.key.every((t, i) => t === texts[i])) return parsed.items as KnowledgeItem[];
  const seen = new Set<string>();
  const items = texts.flatMap((t) => liveItems(parseKnowledge(t).doc)).filter((i) => !seen.has(i.id) && seen.add(i.id));
  parsed = { key: [...texts], items: Object.freeze(items.map((i) => Object.freeze(i))) };
  return parsed.items as KnowledgeItem[];
}

/** What {@link knowledgeForPrompt} needs. */
export interface PromptKnowledgeInput {
  /**
   * The texts of the knowledge files, highest priority first (the workspace file, then the user's): an id found in
   * more than one is taken from the first. Leave out a file that must not reach the prompt (an untrusted workspace).
   */
  texts: string[];
  /** The items of `texts` when the caller parsed them already ({@link knowledgeItems}); parsed here otherwise. */
  items?: KnowledgeItem[];
  /** The user's message. Absent (or blank): the global order, the same for every task. */
  request?: string;
  /** Workspace-relative paths of the files open in the editor; files the request names are added. */
  openFiles?: string[];
  budgetTokens?: number;
  /** Reviews of flagged items; none by default, so every flagged item stays out. */
  reviews?: ReviewLookup;
  /** Relevance scored by the caller (embeddings); lexical relevance to the request is computed otherwise. */
  relevance?: RelevanceResult;
  /**
   * The task's slot so far, for a follow-up message: its items stay, in their order, while they are still eligible
   * and unchanged; items relevant to the new message are added (making room by dropping kept items unrelated to
   * it). When nothing is added or dropped, `previous` itself is returned, so the prompt does not change.
   */
  previous?: KnowledgeInContext | null;
}

/**
 * The knowledge slot of a prompt, from the files' texts: THE selection the agent uses, shared by the core's
 * FileKnowledgeProvider, the extension and `oel knowledge prompt`, so what the CLI prints is what the model sees.
 * Null when nothing is selected. The version hashes the texts and the reviews that let a flagged item in.
 */
export function knowledgeForPrompt(input: PromptKnowledgeInput): KnowledgeInContext | null {
  const reviews = input.reviews ?? NO_REVIEWS;
  const budget = input.budgetTokens ?? DEFAULT_KNOWLEDGE_BUDGET;
  const items = input.items ?? knowledgeItems(input.texts);
  const request = input.request?.trim() ? input.request : undefined;
  const relevance = input.relevance ?? (request === undefined ? null
    : lexicalRelevance(items.filter((i) => isEligible(i, reviews)), { request, files: filesInPlay(request, input.openFiles) }));
  const fresh = selectForPrompt(items, budget, reviews, relevance);
  const version = (chosen: KnowledgeItem[]) => {
    // A review changes the prompt without changing any file, so it is part of the version.
    const reviewed = chosen.filter((i) => itemFlags(i).length > 0).map((i) => `${i.id} ${itemTextHash(i.text)}`);
    return contentHash([...input.texts, reviewed.join('\n')]);
  };
  const ranker = relevance?.ranker ?? 'none';
  if (input.previous) return continueSlot(input.previous, fresh, items.filter((i) => isEligible(i, reviews)), budget, version, ranker);
  return buildKnowledgeInContext(fresh.selected, version(fresh.selected), fresh.chosen, ranker);
}

/**
 * A follow-up's slot: the previous items that are still eligible with the same text, in their order, then the items
 * of `fresh` chosen for the new message (pinned, naming a file, relevant) that are not there yet. To fit those, kept
 * items the new message does not relate to are dropped, lowest score first (pinned items never). Returns `previous`
 * itself when nothing changes.
 */
function continueSlot(previous: KnowledgeInContext, fresh: Selection, eligible: KnowledgeItem[], budget: number, version: (items: KnowledgeItem[]) => string, ranker: string): KnowledgeInContext | null {
  const byId = new Map(eligible.map((i) => [i.id, i]));
  const before = new Map(promptItems(previous.text).map((p) => [p.id, p.text]));
  const records = previous.chosen ?? previous.itemIds.map((id): ChosenItem => ({ id, score: 0, reason: 'fits', why: '' }));
  const kept: Choice[] = records.flatMap((r) => {
    const item = byId.get(r.id);
    return item && item.text === before.get(r.id) ? [{ item, score: r.score, reason: r.reason as ChoiceReason, why: r.why }] : [];
  });
  const keptIds = new Set(kept.map((k) => k.item.id));
  const relatedNow = new Set(fresh.chosen.filter((c) => c.reason === 'pinned' || c.reason === 'file' || c.reason === 'request').map((c) => c.item.id));
  const incoming = fresh.chosen.filter((c) => relatedNow.has(c.item.id) && !keptIds.has(c.item.id));
  let used = preambleCost() + kept.reduce((n, k) => n + lineCost(k.item), 0);
  // Kept items the new message does not relate to can make room: the least useful first, and of equals the one
  // nearest the end of the slot, so the longest possible start of the slot (and of the prompt) stays as it was.
  const rank: Record<string, number> = { order: 0, fits: 0, evidence: 1, request: 2, file: 3 };
  const position = new Map(kept.map((k, i) => [k, i]));
  const evictable = kept.filter((k) => k.reason !== 'pinned' && !relatedNow.has(k.item.id))
    .sort((a, b) => (rank[a.reason] ?? 0) - (rank[b.reason] ?? 0) || a.score - b.score || position.get(b)! - position.get(a)!);
  const dropped = new Set<Choice>();
  const added: Choice[] = [];
  for (const c of incoming) {
    const cost = lineCost(c.item);
    // Drop nothing for an item that would not fit even with every evictable item gone.
    if (used + cost - evictable.reduce((n, e) => n + lineCost(e.item), 0) > budget) continue;
    while (used + cost > budget && evictable.length) {
      const out = evictable.shift()!;
      dropped.add(out);
      used -= lineCost(out.item);
    }
    if (used + cost > budget) continue;
    added.push(c);
    used += cost;
  }
  if (!added.length && kept.length === records.length) return previous;
  const chosen = [...kept.filter((k) => !dropped.has(k)), ...added];
  const selected = chosen.map((c) => c.item);
  return buildKnowledgeInContext(selected, version(selected), chosen, ranker);
}

/** Status changes that make the files show the budget selection: which accepted items to set aside, which to bring back. */
export interface BudgetMarks {
  /** Accepted items that did not fit: become `inactive` with `inactive: budget`. */
  deactivate: string[];
  /** Items set aside for the budget earlier that fit now: become `accepted` again. */
  activate: string[];
}

/** Compares a selection over `items` (all files together) with their statuses and returns the changes to write. */
export function budgetMarks(items: KnowledgeItem[], budgetTokens = DEFAULT_KNOWLEDGE_BUDGET, reviews: ReviewLookup = NO_REVIEWS): BudgetMarks {
  const { selected, inactive } = selectForPrompt(items, budgetTokens, reviews);
  return {
    deactivate: inactive.filter((i) => i.status === 'accepted').map((i) => i.id),
    activate: selected.filter((i) => i.status === 'inactive' && i.overBudget).map((i) => i.id),
  };
}

/**
 * Applies {@link BudgetMarks} to the live items of one document (ids of other files are ignored); returns the ids
 * changed. `updated` is left alone on purpose: it orders the selection by recency, and bumping it here would make the
 * items just set aside the most recent ones, so the next selection would swap them back.
 */
export function applyBudgetMarks(doc: KnowledgeDocument, marks: BudgetMarks): string[] {
  const changed: string[] = [];
  for (const item of liveItems(doc)) {
    if (marks.deactivate.includes(item.id) && item.status === 'accepted') {
      item.status = 'inactive';
      item.overBudget = true;
    } else if (marks.activate.includes(item.id) && item.status === 'inactive' && item.overBudget) {
      item.status = 'accepted';
      delete item.overBudget;
    } else continue;
    changed.push(item.id);
  }
  return changed;
}
