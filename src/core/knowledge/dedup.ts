/**
 * Duplicate and conflict detection for knowledge items. Two measures:
 * - embeddings (when the provider serves `/embeddings`): cosine similarity ≥ {@link EMBEDDING_THRESHOLD};
 * - lexical fallback: Jaccard similarity of character trigrams of the normalized text ≥ {@link LEXICAL_THRESHOLD}.
 * Exact matches of the normalized text are always duplicates. Candidates are checked against live items AND
 * tombstones, so a pruned item is not learned again.
 */
import { characterTrigrams } from '../util/trigrams';
import type { KnowledgeItem } from './format';

/** Cosine similarity at or above which two embedded texts count as the same item. */
export const EMBEDDING_THRESHOLD = 0.92;
/** Character-trigram Jaccard similarity at or above which two texts count as the same item. */
export const LEXICAL_THRESHOLD = 0.6;

/** Turns texts into vectors (e.g. via the provider's `/embeddings`); may throw when unavailable. */
export type Embedder = (texts: string[]) => Promise<number[][]>;

/** Lowercases, strips punctuation and backticks, collapses whitespace. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}\s]+/gu, ' ').replace(/\s+/g, ' ').trim();
}

/** Set of character trigrams of the normalized text (padded with spaces). */
export function trigrams(text: string): Set<string> {
  return characterTrigrams(normalizeText(text));
}

/** Jaccard similarity of the trigram sets of two texts (1 = same). */
export function lexicalSimilarity(a: string, b: string): number {
  const x = trigrams(a);
  const y = trigrams(b);
  if (x.size === 0 && y.size === 0) return 1;
  let inter = 0;
  for (const g of x) if (y.has(g)) inter++;
  return inter / (x.size + y.size - inter);
}

/** Cosine similarity of two vectors (0 when either is zero). */
export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** A match of a candidate against an existing item. */
export interface DuplicateMatch { id: string; similarity: number; method: 'exact' | 'embedding' | 'lexical'; tombstone: boolean }

/** An existing item to check against, live or pruned. */
export interface DedupTarget { item: KnowledgeItem; tombstone: boolean }

/**
 * Finds the most similar existing item that counts as a duplicate of `text`, or null. Uses `embed` when given and
 * working, else (or when it throws) the lexical measure.
 */
export async function findDuplicate(text: string, existing: DedupTarget[], embed?: Embedder): Promise<DuplicateMatch | null> {
  const norm = normalizeText(text);
  for (const e of existing) if (normalizeText(e.item.text) === norm) return { id: e.item.id, similarity: 1, method: 'exact', tombstone: e.tombstone };
  if (existing.length === 0) return null;
  if (embed) {
    try {
      const vectors = await embed([text, ...existing.map((e) => e.item.text)]);
      if (vectors.length === existing.length + 1) return best(existing, (i) => cosine(vectors[0], vectors[i + 1]), EMBEDDING_THRESHOLD, 'embedding');
    } catch {
      // fall through to lexical
    }
  }
  return best(existing, (i) => lexicalSimilarity(text, existing[i].item.text), LEXICAL_THRESHOLD, 'lexical');
}

function best(existing: DedupTarget[], sim: (i: number) => number, threshold: number, method: DuplicateMatch['method']): DuplicateMatch | null {
  let top: DuplicateMatch | null = null;
  existing.forEach((e, i) => {
    const s = sim(i);
    if (s >= threshold && (!top || s > top.similarity)) top = { id: e.item.id, similarity: s, method, tombstone: e.tombstone };
  });
  return top;
}

const POSITIVE = /^(?:always|do|must|should|prefer|use)\b/;
const NEGATIVE = /^(?:never|don t|do not|must not|should not|avoid|don't)\b/;
const STOP = new Set(['the', 'a', 'an', 'to', 'of', 'in', 'on', 'for', 'and', 'or', 'with', 'when', 'before', 'after', 'it', 'is', 'be', 'use', 'run', 'not']);

function polarity(norm: string): { sign: 1 | -1; subject: Set<string> } | null {
  const sign = NEGATIVE.test(norm) ? -1 : POSITIVE.test(norm) ? 1 : null;
  if (sign === null) return null;
  const rest = norm.replace(NEGATIVE, '').replace(POSITIVE, '');
  return { sign, subject: new Set(rest.split(' ').filter((w) => w.length > 1 && !STOP.has(w))) };
}

/**
 * Finds live items that contradict `text`: one says "always/use/prefer X", the other "never/avoid/don't X", and
 * their subjects (content words after the verb) overlap by at least half. Returns their ids.
 */
export function findConflicts(text: string, existing: KnowledgeItem[]): string[] {
  const p = polarity(normalizeText(text));
  if (!p || p.subject.size === 0) return [];
  const out: string[] = [];
  for (const e of existing) {
    const q = polarity(normalizeText(e.text));
    if (!q || q.sign === p.sign || q.subject.size === 0) continue;
    let inter = 0;
    for (const w of p.subject) if (q.subject.has(w)) inter++;
    if (inter / Math.min(p.subject.size, q.subject.size) >= 0.5) out.push(e.id);
  }
  return out;
}
