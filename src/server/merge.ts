/**
 * Team merge: near-duplicate detection across members and the k-anonymity rule. Pure functions, so any store (lowdb
 * today, Postgres later) applies the same rules inside its own transaction.
 */
import { characterTrigrams } from '../core/util/trigrams';

/** Lower-case, Unicode-normalized, punctuation-insensitive form of an item, used for exact-duplicate lookup. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/^[\s\-*•\d.)]+/, '') // list markers the extension or a member may have left in
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Character trigrams of the normalized text (with word boundaries), the basis of the lexical similarity. */
export const trigrams = characterTrigrams;

/** Dice coefficient of two trigram sets: 1 for identical texts, near 0 for unrelated ones. */
export function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const g of small) if (large.has(g)) common++;
  return (2 * common) / (a.size + b.size);
}

/** Texts at or above this similarity are the same item (rewordings, typos, reordered clauses). */
export const DUPLICATE_THRESHOLD = 0.82;

/** The minimal view of a team item the merge needs. */
export interface MergeCandidate {
  id: string;
  norm: string;
}

/**
 * Finds the existing item a new text duplicates: exact normalized match first, then the most similar item above the
 * threshold. `grams` caches trigram sets by item id because the same items are compared on every submission.
 */
export function findDuplicate(norm: string, items: Iterable<MergeCandidate>, byNorm: Map<string, string>, grams: Map<string, Set<string>>): string | null {
  const exact = byNorm.get(norm);
  if (exact) return exact;
  const g = trigrams(norm);
  let best: string | null = null;
  let bestScore = DUPLICATE_THRESHOLD;
  for (const item of items) {
    let ig = grams.get(item.id);
    if (!ig) { ig = trigrams(item.norm); grams.set(item.id, ig); }
    // Lengths that differ by more than the threshold allows cannot reach it; skip the set walk.
    if (Math.min(ig.size, g.size) * 2 < DUPLICATE_THRESHOLD * (ig.size + g.size)) continue;
    const score = similarity(g, ig);
    if (score >= bestScore) { best = item.id; bestScore = score; }
  }
  return best;
}

/** k-anonymity: an admin's decision wins; otherwise an item is admitted once k distinct members submitted it. */
export function itemStatus(distinctMembers: number, decision: 'approve' | 'reject' | null, k: number): 'waiting' | 'admitted' | 'rejected' {
  if (decision === 'reject') return 'rejected';
  if (decision === 'approve') return 'admitted';
  return distinctMembers >= k ? 'admitted' : 'waiting';
}
