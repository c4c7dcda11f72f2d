/**
 * `oel knowledge check|prompt|review`: what a knowledge file would put in the agent's prompt, judged without trusting
 * the file. Flags are computed from each item's text; reviews come only from the `--reviews` files named on the command
 * line, never from the repository implicitly, so CI can stop a pull request that adds a flagged item marked accepted.
 */
import { readFile } from 'node:fs/promises';
import { liveItems, locateItems, parseKnowledge, tombstones, type KnowledgeDiagnostic, type KnowledgeDocument } from '../core/knowledge/format';
import { ReviewSet, ReviewStore, itemFlags, itemTextHash, needsReview, parseReviews } from '../core/knowledge/review';
import { DEFAULT_KNOWLEDGE_BUDGET, isActive, knowledgeForPrompt } from '../core/knowledge/selection';
import { list, nonNegativeInt, str, type Values } from './args';

/** Help of each command in this file. */
export const reviewHelp: Record<'check' | 'prompt' | 'review', string> = {
  check:
    'usage: oel knowledge check <file> [--reviews FILE]... [--json]\n\n' +
    'Parses a knowledge file and prints its problems as <file>:<line>: <severity>: <message>. Flags are computed from\n' +
    "each item's text, whatever the file says. An item the file marks accepted or pinned that is flagged and has no\n" +
    'review on record is an error: it stays out of every prompt until a person reviews it, and a pull request should\n' +
    'not add one unreviewed. A flagged pending item is a warning. Reviews are read only from the --reviews files named\n' +
    "(JSON, see docs/knowledge-format.md \"Reviews\"; record one with 'oel knowledge review'). A flag written in the\n" +
    'file itself (e.g. conflict) is cleared only by accepting the item, not by a review.\n' +
    'Exit 0 when clean, 1 on errors, 2 on bad usage or an unreadable file.\n',
  prompt:
    'usage: oel knowledge prompt <file>... [--request TEXT] [--file PATH]... [--budget N] [--reviews FILE]... [--json]\n\n' +
    "Prints the knowledge slot of the agent's system prompt exactly as the agent gets it from these files, by the\n" +
    "selection the extension uses. List the workspace's .oel/knowledge.md first, then your user knowledge file (an id\n" +
    'in both is taken from the first). Flagged items count only when reviewed in a --reviews file; the extension keeps\n' +
    "this machine's reviews in knowledge-reviews.json in its global storage folder. --budget: tokens (default 2000, the\n" +
    'setting oel.knowledge.promptBudgetTokens). --request: the user\'s message; items are then chosen by relevance to\n' +
    'it (ranked by words, as the extension does without an embeddings model) and to the files in play: --file, the\n' +
    "file open in the editor (workspace-relative, repeatable), and files the request names. Without --request: pinned,\n" +
    'then evidence, then most recent. --json prints {version, itemIds, text, tokens, ranker, chosen: [{id, score,\n' +
    'reason, why}]}. When nothing is selected, prints nothing and says so on stderr.\n' +
    'Exit 0, or 2 on bad usage or an unreadable file.\n',
  review:
    'usage: oel knowledge review <file> <id>... --reviews FILE\n\n' +
    'Records in FILE (created when missing, written atomically) that you reviewed these items of <file> as their text\n' +
    'reads now; each is printed with its flags. An item whose text changes later needs a new review. Keep FILE where\n' +
    'the author of a change cannot edit it unseen (see docs/knowledge-format.md "Reviews").\n' +
    'Exit 0, 1 when an id is not a live item of <file>, 2 on bad usage or an unreadable file.\n',
};

/** Reads a file or prints why it cannot; null when it cannot. */
export async function readOrFail(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    process.stderr.write(`oel knowledge: cannot read ${path}: ${(e as Error).message}\n`);
    return null;
  }
}

/** Reads and merges the `--reviews` files; null (after saying why) when one is missing or invalid. */
async function readReviews(paths: string[]): Promise<ReviewSet | null> {
  let set = new ReviewSet();
  for (const p of paths) {
    const text = await readOrFail(p);
    if (text === null) return null;
    const r = parseReviews(text);
    if (typeof r === 'string') {
      process.stderr.write(`oel knowledge: ${p} is not a reviews file: ${r}\n`);
      return null;
    }
    set = set.union(r);
  }
  return set;
}

/** An item that waits for a review, as `check --json` lists it. */
export interface UnreviewedItem { id: string; line: number; status: string; hash: string; flags: { kind: string; reason: string }[] }

/**
 * The review problems of a parsed file: an item the file puts forward for the prompt (accepted, pinned, or inactive
 * for the budget) that waits for a review is an error; a flagged pending item a warning. Lines are 1-based.
 */
export function reviewDiagnostics(doc: KnowledgeDocument, reviews: ReviewSet): { diagnostics: KnowledgeDiagnostic[]; unreviewed: UnreviewedItem[] } {
  const diagnostics: KnowledgeDiagnostic[] = [];
  const unreviewed: UnreviewedItem[] = [];
  for (const loc of locateItems(doc)) {
    const { item } = loc;
    if (loc.tombstone || !needsReview(item, reviews)) continue;
    const flags = itemFlags(item);
    const what = flags.map((f) => `${f.kind}: ${f.reason}`).join('; ');
    const line = loc.line + 1;
    if (isActive(item)) {
      unreviewed.push({ id: item.id, line, status: item.status, hash: itemTextHash(item.text), flags });
      const how = item.flags.length ? 'accept it in the editor to clear the flag noted in the file' : "record a review with 'oel knowledge review'";
      diagnostics.push({ line, severity: 'error', message: `${item.id} is ${item.status} but flagged (${what}) and has no review on record; it stays out of the prompt until reviewed (${how}, or make it pending)` });
    } else if (item.status === 'pending') {
      diagnostics.push({ line, severity: 'warning', message: `${item.id} is pending and flagged (${what}); accepting it needs a review` });
    }
  }
  return { diagnostics, unreviewed };
}

function printDiagnostics(file: string, diags: KnowledgeDiagnostic[]): void {
  for (const d of diags) process.stdout.write(`${file}:${d.line}: ${d.severity}: ${d.message}\n`);
}

/** `oel knowledge check`. */
export async function check(values: Values, positionals: string[], bad: (why?: string) => number): Promise<number> {
  if (positionals.length !== 1) return bad(positionals.length ? 'one file at a time' : 'a file is required');
  const [file] = positionals;
  const reviews = await readReviews(list(values, 'reviews'));
  const text = await readOrFail(file);
  if (text === null || reviews === null) return 2;
  const { doc, diagnostics: parsed } = parseKnowledge(text);
  const review = reviewDiagnostics(doc, reviews);
  const diagnostics = [...parsed, ...review.diagnostics].sort((a, b) => a.line - b.line);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ file, items: liveItems(doc).length, tombstones: tombstones(doc).length, diagnostics, unreviewed: review.unreviewed }, null, 2)}\n`);
  } else {
    printDiagnostics(file, diagnostics);
    const n = review.unreviewed.length;
    process.stdout.write(`${liveItems(doc).length} items, ${tombstones(doc).length} pruned, ${errors} errors${n ? ` (${n} flagged without review)` : ''}\n`);
  }
  return errors ? 1 : 0;
}

/** `oel knowledge prompt`. */
export async function prompt(values: Values, positionals: string[], bad: (why?: string) => number): Promise<number> {
  if (!positionals.length) return bad('at least one knowledge file is required');
  const budget = nonNegativeInt(values, 'budget');
  if (typeof budget === 'object') return bad(budget.error);
  const reviews = await readReviews(list(values, 'reviews'));
  if (reviews === null) return 2;
  const texts: string[] = [];
  for (const f of positionals) {
    const t = await readOrFail(f);
    if (t === null) return 2;
    texts.push(t);
  }
  const k = knowledgeForPrompt({ texts, request: str(values, 'request'), openFiles: list(values, 'file'), budgetTokens: budget ?? DEFAULT_KNOWLEDGE_BUDGET, reviews });
  if (!k) {
    process.stderr.write('oel knowledge prompt: no item would be in the prompt (none accepted, all flagged without review, or none fits the budget)\n');
    if (values.json) process.stdout.write('null\n');
    return 0;
  }
  process.stdout.write(values.json ? `${JSON.stringify(k, null, 2)}\n` : `${k.text}\n`);
  return 0;
}

/** `oel knowledge review`. */
export async function review(values: Values, positionals: string[], bad: (why?: string) => number): Promise<number> {
  const reviewsPath = str(values, 'reviews');
  const [file, ...ids] = positionals;
  if (!reviewsPath || !file || !ids.length) return bad('a knowledge file, at least one item id and --reviews FILE are required');
  const text = await readOrFail(file);
  if (text === null) return 2;
  const items = liveItems(parseKnowledge(text).doc);
  const chosen = ids.map((id) => items.find((i) => i.id === id));
  const missing = ids.filter((_, i) => !chosen[i]);
  if (missing.length) {
    process.stderr.write(`oel knowledge review: not a live item of ${file}: ${missing.join(', ')}; nothing recorded\n`);
    return 1;
  }
  const store = new ReviewStore(reviewsPath, (l) => process.stderr.write(`oel ${l}\n`));
  for (const item of chosen) {
    if (!item) continue;
    const flags = itemFlags(item);
    process.stdout.write(`${item.id} [${item.status}] ${item.text}\n${flags.map((f) => `    flag: ${f.kind}: ${f.reason}\n`).join('') || '    (not flagged)\n'}`);
    if (item.flags.length) process.stdout.write('    note: the file itself flags it; accept it in the editor to clear that flag\n');
  }
  await store.record(chosen.filter((i) => i !== undefined));
  process.stdout.write(`recorded ${ids.length} review${ids.length === 1 ? '' : 's'} in ${reviewsPath}\n`);
  return 0;
}
