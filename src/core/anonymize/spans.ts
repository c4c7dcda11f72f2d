/**
 * What a detector reports: a range of one text to replace, what it is, and the value that identifies it, so that the
 * same value gets the same placeholder everywhere in a submission.
 */

/** The kinds of value the anonymizer replaces; each has its own placeholder (`<email>`, `<home>`, …). */
export const ANONYMIZED_KINDS = ['secret', 'email', 'home', 'org', 'repo', 'user', 'ip', 'host', 'phone', 'name', 'term'] as const;

/** One of {@link ANONYMIZED_KINDS}. */
export type AnonymizedKind = (typeof ANONYMIZED_KINDS)[number];

/** A range of a text that a detector wants replaced. */
export interface Span {
  start: number;
  end: number;
  kind: AnonymizedKind;
  /** Finer description for reports and the benchmark table: `github-token`, `home-path`, `git-author`, … */
  detail: string;
  /** Normalised identity of the value (lower case e-mail, user name, …): equal keys share a placeholder. */
  key: string;
}

/** When two spans overlap, the kind earlier in {@link ANONYMIZED_KINDS} wins (a secret beats a host inside it). */
const PRIORITY = new Map<AnonymizedKind, number>(ANONYMIZED_KINDS.map((k, i) => [k, i]));

/** Index of the last span in `sorted` (disjoint, by start) that starts before `end`, or -1. */
function lastStartingBefore(sorted: readonly Span[], end: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].start < end) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * True when `s` overlaps a span of `sorted` (disjoint, by start). Among disjoint spans starting before `s` ends, the
 * last one reaches furthest, so it is the only one to check: O(log n).
 */
export function overlapsAny(sorted: readonly Span[], s: Span): boolean {
  const i = lastStartingBefore(sorted, s.end);
  return i >= 0 && sorted[i].end > s.start;
}

/**
 * Picks disjoint spans, sorted by start. Secrets first, and overlapping secrets are merged (nothing of either may
 * survive); then the other kinds by priority, the longer span first; a span that overlaps one already taken is
 * dropped. O(n log n) plus the insertions, so a text with thousands of matches stays fast.
 */
export function resolveSpans(spans: readonly Span[]): Span[] {
  const taken: Span[] = [];
  const secrets = spans.filter((s) => s.kind === 'secret' && s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  for (const s of secrets) {
    const last = taken[taken.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else taken.push({ ...s });
  }
  const others = spans
    .filter((s) => s.kind !== 'secret' && s.end > s.start)
    .sort((a, b) => PRIORITY.get(a.kind)! - PRIORITY.get(b.kind)! || (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  for (const s of others) {
    if (overlapsAny(taken, s)) continue;
    taken.splice(lastStartingBefore(taken, s.end) + 1, 0, { ...s });
  }
  return taken;
}

/** Adds a span for `text.slice(start, end)` unless the range is empty. */
export function pushSpan(out: Span[], start: number, end: number, kind: AnonymizedKind, detail: string, key: string): void {
  if (end > start) out.push({ start, end, kind, detail, key });
}
