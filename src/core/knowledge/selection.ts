/**
 * Which items go into the agent's system prompt, and the exact text inserted: pinned items first, then by evidence
 * (helpful − harmful), then most recently updated, within a token budget. Items that do not fit are reported
 * inactive; {@link budgetMarks} and {@link applyBudgetMarks} write that to the file (`[inactive]` plus
 * `inactive: budget`) and re-activate such items once they fit again.
 */
import { createHash } from 'node:crypto';
import { countTokens } from 'gpt-tokenizer';
import type { KnowledgeInContext } from './knowledgeContext';
import { ITEM_ID_RE, liveItems, parseKnowledge, type KnowledgeDocument, type KnowledgeItem } from './format';
import { NO_REVIEWS, itemFlags, itemTextHash, needsReview, type ReviewLookup } from './review';

/** Default token budget of the knowledge slot. */
export const DEFAULT_KNOWLEDGE_BUDGET = 2000;

/** Text placed before the items. */
export const KNOWLEDGE_PREAMBLE =
  'The following is knowledge learned from earlier tasks in this environment. It is learned experience: it may be ' +
  'incomplete or wrong, so prefer what you observe now when they disagree. When an item helps you, cite its id ' +
  '(for example [K-abcd1234]) in your answer.';

/** Approximate token count (the GPT tokenizer; close enough for budgeting other models). */
export function approxTokens(text: string): number {
  return countTokens(text);
}

/** The line an item occupies in the prompt. */
export function promptLine(item: KnowledgeItem): string {
  return `- [${item.id}] ${item.text}`;
}

/** The items of a knowledge slot text, read back from its {@link promptLine}s (the preamble is skipped). */
export function promptItems(text: string): { id: string; text: string }[] {
  return [...text.matchAll(/^- \[(\S+)\] (.*)$/gm)].filter((m) => ITEM_ID_RE.test(m[1])).map((m) => ({ id: m[1], text: m[2] }));
}

/** Result of {@link selectForPrompt}. */
export interface Selection {
  /** Items chosen, in prompt order. */
  selected: KnowledgeItem[];
  /** Eligible items left out because the budget was spent (inactive for this prompt). */
  inactive: KnowledgeItem[];
  /** Tokens of the whole inserted text (preamble included), 0 when nothing is selected. */
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

/**
 * Selects eligible items ({@link isEligible} under `reviews`) for the prompt within `budgetTokens` (preamble
 * included). Items are taken in {@link compareForPrompt} order; one that does not fit is skipped and reported
 * inactive, and smaller ones after it may still fit.
 */
export function selectForPrompt(items: KnowledgeItem[], budgetTokens = DEFAULT_KNOWLEDGE_BUDGET, reviews: ReviewLookup = NO_REVIEWS): Selection {
  const ordered = items.filter((i) => isEligible(i, reviews)).sort(compareForPrompt);
  const selected: KnowledgeItem[] = [];
  const inactive: KnowledgeItem[] = [];
  let used = approxTokens(KNOWLEDGE_PREAMBLE) + 1;
  for (const item of ordered) {
    const cost = approxTokens(promptLine(item)) + 1;
    if (used + cost <= budgetTokens) {
      selected.push(item);
      used += cost;
    } else inactive.push(item);
  }
  return { selected, inactive, tokens: selected.length ? approxTokens(renderKnowledge(selected)) : 0 };
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

/** Builds the knowledge-in-context record for the selected items, or null when none are selected. */
export function buildKnowledgeInContext(selected: KnowledgeItem[], version: string): KnowledgeInContext | null {
  if (selected.length === 0) return null;
  const text = renderKnowledge(selected);
  return { version, itemIds: selected.map((i) => i.id), text, tokens: approxTokens(text) };
}

/** What {@link knowledgeForPrompt} needs. */
export interface PromptKnowledgeInput {
  /**
   * The texts of the knowledge files, highest priority first (the workspace file, then the user's): an id found in
   * more than one is taken from the first. Leave out a file that must not reach the prompt (an untrusted workspace).
   */
  texts: string[];
  /** The task's request. Selection does not depend on it yet; it is passed so that every caller stays alike when it does. */
  request?: string;
  budgetTokens?: number;
  /** Reviews of flagged items; none by default, so every flagged item stays out. */
  reviews?: ReviewLookup;
}

/**
 * The knowledge slot of a prompt, from the files' texts: THE selection the agent uses, shared by the core's
 * FileKnowledgeProvider, the extension and `oel knowledge prompt`, so what the CLI prints is what the model sees.
 * Null when nothing is selected. The version hashes the texts and the reviews that let a flagged item in.
 */
export function knowledgeForPrompt(input: PromptKnowledgeInput): KnowledgeInContext | null {
  const reviews = input.reviews ?? NO_REVIEWS;
  const seen = new Set<string>();
  const items = input.texts.flatMap((t) => liveItems(parseKnowledge(t).doc)).filter((i) => !seen.has(i.id) && seen.add(i.id));
  const { selected } = selectForPrompt(items, input.budgetTokens ?? DEFAULT_KNOWLEDGE_BUDGET, reviews);
  // A review changes the prompt without changing any file, so it is part of the version.
  const reviewed = selected.filter((i) => itemFlags(i).length > 0).map((i) => `${i.id} ${itemTextHash(i.text)}`);
  return buildKnowledgeInContext(selected, contentHash([...input.texts, reviewed.join('\n')]));
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
