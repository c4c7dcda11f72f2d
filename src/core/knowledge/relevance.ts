/**
 * How relevant each knowledge item is to a request: the request's words, and the files in play (the file open in the
 * editor, files the request names). Two rankers:
 * - lexical (default): BM25 through MiniSearch over the items' text, with English stop words dropped and camelCase
 *   and path words split, so "rounding in totals.ts" meets "roundCents in src/billing/totals.ts";
 * - embeddings (when `oel.knowledge.embeddingModel` is set): cosine similarity of the request and each item, item
 *   vectors cached per text ({@link EmbeddingCache}).
 * Scores are relative to the best match of the request (1), 0 for no match. An item that names a file in play is
 * reported apart, whatever its score: that is the strongest sign it applies.
 *
 * Everything here only compares strings: item texts, file names and requests are never used to build a pattern,
 * read a file or run anything, since a repository's knowledge file and the model's requests are both hostile input.
 */
import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import { cosine, type Embedder } from './dedup';
import type { EmbeddingCache } from './embeddingCache';

/** What the items are ranked against. */
export interface RelevanceQuery {
  /** The user's message (the task's request, or a follow-up). */
  request: string;
  /** Workspace-relative paths of the files in play ({@link filesInPlay}). */
  files: readonly string[];
}

/** How one item relates to the query. */
export interface ItemRelevance {
  /** 0 (unrelated) to 1 (the best match of this request). */
  score: number;
  /** Words of the request (and of the files' paths) the item shares, as the request writes them (lexical ranker). */
  terms: string[];
  /** Words it shares with the best matches of the request rather than with the request itself (lexical ranker). */
  related: string[];
  /** Files in play the item names. */
  files: string[];
}

/** Which ranker scored the items. */
export type Ranker = 'lexical' | 'embedding';

/** Relevance of every item that has some, by id; an item absent from `scores` is unrelated to the query. */
export interface RelevanceResult {
  ranker: Ranker;
  scores: Map<string, ItemRelevance>;
}

/** An item as the rankers see it. */
export interface RankedText { id: string; text: string }

// Words that carry no subject: dropping them keeps "the" and "for" from making every item a little relevant.
const STOP_WORDS = new Set((
  'a about after again all also am an and any are as at be because been before being both but by can could did do ' +
  'does doing down during each few for from further had has have having he her here hers him his how i if in into is ' +
  'it its itself just me more most my no nor not now of off on once only or other our ours out over own same she ' +
  'should so some such than that the their theirs them then there these they this those through to too under until ' +
  'up very was we were what when where which while who whom why will with would you your yours please let lets get ' +
  'got make makes made sure need needs want wants like way one two use used using instead every never always new'
).split(' '));

const SPLIT = /[\n\r\p{Z}\p{P}\p{S}]+/u;

// One spelling for the abbreviations developers write interchangeably with the full word, on both sides (items and
// requests): "e2e" and "end-to-end", "db" and "database", "i18n" and "internationalization" then meet. Only
// abbreviations with one common meaning in code; the key is the lowercased word, hyphens removed.
const SAME_WORD: Record<string, string> = {
  endtoend: 'e2e', internationalization: 'i18n', internationalisation: 'i18n', localization: 'l10n',
  localisation: 'l10n', accessibility: 'a11y', db: 'database', dbs: 'database', databases: 'database',
  configuration: 'config', configurations: 'config', configs: 'config', env: 'environment', envs: 'environment',
  repo: 'repository', repos: 'repository', repositories: 'repository', dep: 'dependency', deps: 'dependency',
  dependencies: 'dependency', perf: 'performance', k8s: 'kubernetes', prod: 'production', msg: 'message',
  msgs: 'message', docs: 'documentation', doc: 'documentation', admins: 'admin', administrator: 'admin',
  administrators: 'admin', websockets: 'websocket', signin: 'login', logon: 'login',
  signout: 'logout', logoff: 'logout',
};
const HYPHENATED = /^[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)+$/u;

/** Splits text into index terms: words, plus the parts of camelCase words; lowercased, stop words dropped,
 * Porter-stemmed (so "rounding" meets "round", "invoices" meets "invoice"). */
export function terms(text: string): string[] {
  return termsAndWords(text).map(([t]) => t);
}

/** {@link terms} with the word each term came from, lowercased, to say in words what matched. */
export function termsAndWords(text: string): [term: string, word: string][] {
  const out: [string, string][] = [];
  const add = (w: string) => {
    const lower = w.toLowerCase();
    if (lower.length < 2 || STOP_WORDS.has(lower)) return;
    const word = SAME_WORD[lower] ?? lower;
    // Words with digits (e2e, i18n, oauth2) are names, not English: the stemmer would cut "e2e" to "e2".
    out.push([/\d/.test(word) ? word : stemmer(word), lower]);
  };
  for (const chunk of text.split(/\s+/)) {
    // A hyphenated compound also counts as one word: "sign-in" meets "signin", "end-to-end" meets "e2e".
    const bare = chunk.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
    if (bare.length <= 40 && HYPHENATED.test(bare)) {
      const joined = bare.replace(/-/g, '').toLowerCase();
      if (SAME_WORD[joined] || joined.length > 3) add(joined);
    }
    for (const raw of chunk.split(SPLIT)) {
      if (!raw) continue;
      const parts = raw.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(' ');
      for (const w of parts.length > 1 ? [raw, ...parts] : [raw]) add(w);
    }
  }
  return out;
}

// Paths are found word by word: the text is split on spaces, quotes and brackets (linear), and each word of at most
// MAX_PATH_CHARS is tested with an anchored pattern. One pattern over the whole text backtracked quadratically on a
// long word, and an item's text comes from a repository: a 50,000-letter word took seconds.
const WORD_SPLIT = /[\s"'`()<>[\]{},;|]+/;
const MAX_PATH_CHARS = 300;
const DIR_PATH = /^[\w@.-]+(?:\/[\w@.-]+)+$/;
const FILE_NAME = /^[\w@-][\w@.-]*\.[a-z][a-z0-9]{0,7}$/i;

/** Path-like words of a text: `src/a/b.ts`, `b.ts`, `src/core/` (a folder), trailing punctuation trimmed. */
export function pathsIn(text: string): string[] {
  const out = new Set<string>();
  for (const word of text.split(WORD_SPLIT)) {
    if (word.length < 4 || word.length > MAX_PATH_CHARS) continue;
    const p = word.replace(/^\.\//, '').replace(/[.:/!?]+$/, '');
    if (p.length < 4 || /^\d/.test(p)) continue;
    // A dotted word with no slash counts only when it looks like a file name ("totals.ts", not "e.g").
    if (p.includes('/') ? DIR_PATH.test(p) : FILE_NAME.test(p) && !/^[a-z]\.[a-z]$/i.test(p)) out.add(p);
  }
  return [...out];
}

// Paths named in item texts, lowercased, by text: every request with files in play asks it of every item.
const itemPaths = new Map<string, string[]>();
function lowerPathsIn(text: string): string[] {
  let paths = itemPaths.get(text);
  if (!paths) {
    if (itemPaths.size >= 20_000) itemPaths.clear();
    paths = pathsIn(text).map((p) => p.toLowerCase());
    itemPaths.set(text, paths);
  }
  return paths;
}

/**
 * The files in play for a request: the files open in the editor (workspace-relative, as given) and the files the
 * request names, without duplicates. Backslashes become slashes.
 */
export function filesInPlay(request: string, open: readonly string[] = []): string[] {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.\//, '');
  return [...new Set([...open.map(norm), ...pathsIn(request).map(norm)])].filter((p) => p.length > 0);
}

/**
 * Whether an item's text names this file: its path, its name (`totals.ts`), or a folder that holds it
 * (`src/billing`). Plain substring tests on lowercased text, never a pattern built from either side.
 */
export function namesFile(itemText: string, file: string): boolean {
  const f = file.toLowerCase();
  const base = f.slice(f.lastIndexOf('/') + 1);
  for (const q of lowerPathsIn(itemText)) {
    if (q === f || q === base || f.endsWith(`/${q}`)) return true;
    if (q.includes('/') && f.startsWith(`${q}/`)) return true;
  }
  return false;
}

function fileMatches(items: readonly RankedText[], files: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!files.length) return out;
  for (const item of items) {
    const named = files.filter((f) => namesFile(item.text, f));
    if (named.length) out.set(item.id, named);
  }
  return out;
}

// The last indexes built, by the items they hold: the provider re-reads the files for every task, but their items
// rarely change between two tasks, and building the index is most of the cost of a selection. An entry matches when
// every id and text is the same (strings of the same parse compare by reference, so the check is cheap).
interface CachedIndex {
  ids: string[];
  texts: string[];
  index: MiniSearch<RankedText>;
  /** A word of the items for each index term, to say in words what two items share. */
  words: Map<string, string>;
}
const indexCache: CachedIndex[] = [];
const INDEX_CACHE_SIZE = 2;

function indexFor(items: readonly RankedText[]): CachedIndex {
  const hit = indexCache.find((c) => c.ids.length === items.length && items.every((item, i) => item.id === c.ids[i] && item.text === c.texts[i]));
  if (hit) return hit;
  const words = new Map<string, string>();
  const index = new MiniSearch<RankedText>({
    fields: ['text'],
    idField: 'id',
    tokenize: (text) => [text],
    processTerm: (text) => termsAndWords(text).map(([t, w]) => {
      if (!words.has(t)) words.set(t, w);
      return t;
    }),
    searchOptions: { combineWith: 'OR' },
  });
  index.addAll(items);
  const entry = { ids: items.map((i) => i.id), texts: items.map((i) => i.text), index, words };
  indexCache.unshift(entry);
  indexCache.length = Math.min(indexCache.length, INDEX_CACHE_SIZE);
  return entry;
}

// Top-level folders that hold most of a project's files: as words they would match every item that names a path.
const ROOT_FOLDERS = new Set(['src', 'lib', 'app', 'test', 'tests', 'pkg', 'packages']);

/**
 * The words a path adds to the query: the file's name without its extension and its folder's name ("billing totals"
 * for src/billing/totals.ts, "totals" for src/totals.js). Roots and extensions (src, ts) would match every item that
 * names any file.
 */
function pathWords(file: string): string {
  const parts = file.split('/').filter(Boolean);
  const name = (parts.pop() ?? '').replace(/\.[^.]*$/, '');
  const folder = parts.pop() ?? '';
  return ROOT_FOLDERS.has(folder.toLowerCase()) ? name : `${folder} ${name}`;
}

// Query expansion from the best matches (pseudo-relevance feedback): a request names a few words of its subject, the
// items about that subject share more. The words of the best few matches (the most shared first) join the query at a
// lower weight, so "translate the confirmation page" also finds the lessons on locale files that never say "translate".
// Measured on the labelled set (docs/benchmarks.md): recall within the budget 0.74 without it, 0.81 with it.
const FEEDBACK_DOCS = 4;
const FEEDBACK_MIN_SCORE = 0.2;
const FEEDBACK_TERMS = 12;
const FEEDBACK_WEIGHT = 0.35;

function expansionTerms(hits: { id: unknown; score: number }[], items: readonly RankedText[], queryTerms: Set<string>): string[] {
  const top = hits[0]?.score ?? 0;
  const best = hits.slice(0, FEEDBACK_DOCS).filter((h) => h.score >= FEEDBACK_MIN_SCORE * top);
  if (best.length < 2) return [];
  const counts = new Map<string, number>();
  for (const h of best) for (const t of new Set(terms(items.find((i) => i.id === h.id)?.text ?? ''))) if (!queryTerms.has(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, FEEDBACK_TERMS).map(([t]) => t);
}

/**
 * Lexical relevance (BM25) of `items` to the query; the files' path words count as query words too, and words shared
 * by the best matches are added at a lower weight.
 */
export function lexicalRelevance(items: readonly RankedText[], query: RelevanceQuery): RelevanceResult {
  const scores = new Map<string, ItemRelevance>();
  const named = fileMatches(items, query.files);
  // Paths in the request count as their words too, so "src/totals.js" weighs as "totals", not "src totals js".
  let request = query.request;
  for (const p of pathsIn(request)) request = request.split(p).join(` ${pathWords(p)} `);
  const words = [request, ...query.files.map(pathWords)].join(' ');
  // Each query term with the first word it came from, so the reason shown says "totals", not the stem "total".
  const wordOf = new Map<string, string>();
  for (const [t, w] of termsAndWords(words)) if (!wordOf.has(t)) wordOf.set(t, w);
  const queryTerms = new Set(wordOf.keys());
  if (items.length && queryTerms.size) {
    const { index, words: itemWords } = indexFor(items);
    const hits = index.search(words);
    const extra = expansionTerms(hits, items, queryTerms);
    const all = extra.length ? index.search({
      combineWith: 'OR',
      // The expansion words are index terms already: they must not be split or stemmed again.
      queries: [words, { queries: [extra.join(' ')], tokenize: (t: string) => t.split(' '), processTerm: (t: string) => t, boostTerm: () => FEEDBACK_WEIGHT }],
    }) : hits;
    const top = all[0]?.score ?? 0;
    for (const h of all) {
      const id = String(h.id);
      scores.set(id, { score: top > 0 ? h.score / top : 0, terms: h.terms.filter((t) => queryTerms.has(t)).map((t) => wordOf.get(t) ?? t), related: h.terms.filter((t) => !queryTerms.has(t)).map((t) => itemWords.get(t) ?? t), files: named.get(id) ?? [] });
    }
  }
  for (const [id, files] of named) if (!scores.has(id)) scores.set(id, { score: 0, terms: [], related: [], files });
  return { ranker: 'lexical', scores };
}

/**
 * Relevance by embeddings: cosine similarity of the query (request and file names) to each item. Similarities of
 * unrelated texts are far from 0 with most models, so scores are rescaled per request: the median item scores 0, the
 * best 1; below the median counts as unrelated. Item vectors come from `cache` when it has them.
 */
export async function embeddingRelevance(items: readonly RankedText[], query: RelevanceQuery, embed: Embedder, cache?: EmbeddingCache): Promise<RelevanceResult> {
  const scores = new Map<string, ItemRelevance>();
  const named = fileMatches(items, query.files);
  if (items.length) {
    const text = [query.request, ...query.files].join('\n');
    const [queryVector] = await embed([text]);
    const vectors = cache ? await cache.vectors(items.map((i) => i.text), embed) : await embed(items.map((i) => i.text));
    if (!queryVector || vectors.length !== items.length) throw new Error(`the embeddings endpoint returned ${vectors.length} vectors for ${items.length} texts`);
    const sims = vectors.map((v) => cosine(queryVector, v));
    const sorted = [...sims].sort((a, b) => a - b);
    const floor = sorted[Math.floor(sorted.length / 2)];
    const top = sorted[sorted.length - 1];
    items.forEach((item, i) => {
      const score = top > floor ? Math.max(0, (sims[i] - floor) / (top - floor)) : 0;
      if (score > 0 || named.has(item.id)) scores.set(item.id, { score, terms: [], related: [], files: named.get(item.id) ?? [] });
    });
  }
  return { ranker: 'embedding', scores };
}
