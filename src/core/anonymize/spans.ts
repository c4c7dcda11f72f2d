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

/**
 * Picks disjoint spans, sorted by start: by kind priority, then the longer span. A span that overlaps one already
 * taken is dropped, except that overlapping secrets are merged (nothing of either may survive).
 */
export function resolveSpans(spans: readonly Span[]): Span[] {
  const ordered = [...spans].filter((s) => s.end > s.start).sort((a, b) => PRIORITY.get(a.kind)! - PRIORITY.get(b.kind)! || (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const taken: Span[] = [];
  for (const s of ordered) {
    const clash = taken.find((t) => s.start < t.end && t.start < s.end);
    if (!clash) taken.push({ ...s });
    else if (s.kind === 'secret' && clash.kind === 'secret') {
      clash.start = Math.min(clash.start, s.start);
      clash.end = Math.max(clash.end, s.end);
    }
  }
  taken.sort((a, b) => a.start - b.start);
  // Merging secrets can make two taken secrets overlap; join them.
  const out: Span[] = [];
  for (const s of taken) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push(s);
  }
  return out;
}

/** Adds a span for `text.slice(start, end)` unless the range is empty. */
export function pushSpan(out: Span[], start: number, end: number, kind: AnonymizedKind, detail: string, key: string): void {
  if (end > start) out.push({ start, end, kind, detail, key });
}
