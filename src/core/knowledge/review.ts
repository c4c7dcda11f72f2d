/**
 * Who decides that a flagged item may reach a prompt. A knowledge file arrives by `git clone` or `git pull`, so
 * nothing in it is trusted: flags are computed from the item's text on every read, and a person's acceptance of an
 * item flagged that way is a review record kept outside the repository, keyed by the item's id and a hash of its
 * text. An item edited anywhere after its review is reviewed again. Flags written in the file can only add
 * restrictions: such an item waits until a person accepts it, which clears them from the file.
 *
 * Review records live in a small JSON file (docs/knowledge-format.md, "Reviews"): the extension keeps one per machine
 * in its global storage; a team's CI names one explicitly (`oel knowledge check --reviews FILE`).
 */
import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomicWrite';
import { ITEM_ID_RE, oneLine, type KnowledgeFlag, type KnowledgeItem } from './format';
import { safetyFlags } from './safety';

/** The hash a review is keyed by: `sha256:` and the hex digest of the item's text as it reads on one line. */
export function itemTextHash(text: string): string {
  // oneLine: `oel knowledge fmt` may normalize whitespace; that is not an edit a person needs to review again.
  return `sha256:${createHash('sha256').update(oneLine(text), 'utf8').digest('hex')}`;
}

/**
 * The flags an item has now: the safety checks run on its text, plus any flag the file carries (a file can add a
 * restriction, e.g. a `conflict` the extension noted, but never remove one). One flag per distinct reason.
 */
export function itemFlags(item: Pick<KnowledgeItem, 'text' | 'flags'>): KnowledgeFlag[] {
  const out: KnowledgeFlag[] = [];
  for (const f of [...safetyFlags(item.text), ...item.flags]) if (!out.some((o) => o.kind === f.kind && o.reason === f.reason)) out.push(f);
  return out;
}

/** One review: a person accepted the item with this id while its text had this hash. */
export const ReviewRecordSchema = z.object({
  /** The item's id. */
  id: z.string().regex(ITEM_ID_RE),
  /** {@link itemTextHash} of the text that was reviewed. */
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** When (ISO-8601). */
  reviewed: z.string().optional(),
}).strict();
/** One review record. */
export type ReviewRecord = z.infer<typeof ReviewRecordSchema>;

/** A reviews file: the machine-local store and a file named by `--reviews` share this format. */
export const ReviewFileSchema = z.object({
  schema: z.literal(1),
  reviews: z.array(ReviewRecordSchema),
}).strict();

/** Answers whether a person reviewed an item as it reads now. */
export interface ReviewLookup {
  /** True when there is a review of this id with this text hash. */
  has(id: string, hash: string): boolean;
}

/** An immutable set of review records. */
export class ReviewSet implements ReviewLookup {
  private readonly keys: Set<string>;
  /** The records, in the order they were given. */
  readonly records: readonly ReviewRecord[];

  constructor(records: readonly ReviewRecord[] = []) {
    this.records = records;
    this.keys = new Set(records.map((r) => `${r.id} ${r.hash}`));
  }

  /** True when there is a review of this id with this text hash. */
  has(id: string, hash: string): boolean {
    return this.keys.has(`${id} ${hash}`);
  }

  /** This set plus the records of `other` (duplicates dropped). */
  union(other: ReviewSet): ReviewSet {
    return new ReviewSet([...this.records, ...other.records.filter((r) => !this.has(r.id, r.hash))]);
  }
}

/** No reviews at all: every flagged item needs one. */
export const NO_REVIEWS: ReviewLookup = new ReviewSet();

/** Whether a person reviewed this item as its text reads now. */
export function isReviewed(item: Pick<KnowledgeItem, 'id' | 'text'>, reviews: ReviewLookup): boolean {
  return reviews.has(item.id, itemTextHash(item.text));
}

/**
 * Whether an item waits for a person: its text is flagged and no review of that text is on record, or the file itself
 * flags it (a note such as `conflict`, cleared from the file when a person accepts the item).
 */
export function needsReview(item: Pick<KnowledgeItem, 'id' | 'text' | 'flags'>, reviews: ReviewLookup): boolean {
  return item.flags.length > 0 || (textIsFlagged(item.text) && !isReviewed(item, reviews));
}

// Whether a text earns a safety flag, by the exact text: the same answer safetyFlags gives, remembered because every
// prompt asks it of every item (1,000 items: ~3 ms of regexes per prompt otherwise). Keyed by the whole text, so an
// edited item is checked afresh.
const flaggedTexts = new Map<string, boolean>();
function textIsFlagged(text: string): boolean {
  let flagged = flaggedTexts.get(text);
  if (flagged === undefined) {
    if (flaggedTexts.size >= 20_000) flaggedTexts.clear();
    flagged = safetyFlags(text).length > 0;
    flaggedTexts.set(text, flagged);
  }
  return flagged;
}

/** Parses a reviews file; returns the set or a message saying what is wrong with it. */
export function parseReviews(text: string): ReviewSet | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  const r = ReviewFileSchema.safeParse(json);
  if (!r.success) return r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
  return new ReviewSet(r.data.reviews);
}

/** Writes a reviews file's text: stable order (id, then hash), one record per line, so it diffs well. */
export function serializeReviews(records: readonly ReviewRecord[]): string {
  const sorted = [...records].sort((a, b) => (a.id === b.id ? (a.hash < b.hash ? -1 : 1) : a.id < b.id ? -1 : 1));
  const lines = sorted.map((r) => `    ${JSON.stringify(r)}`);
  return `{\n  "schema": 1,\n  "reviews": [${lines.length ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
}

/** Reads a reviews file; a missing file is an empty set, anything else unreadable throws with the file's name. */
export async function readReviewsFile(path: string): Promise<ReviewSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new ReviewSet();
    throw e;
  }
  const r = parseReviews(text);
  if (typeof r === 'string') throw new Error(`${path} is not a reviews file: ${r}`);
  return r;
}

/**
 * A reviews file that is written to: the extension's machine-local store, or a team's file through
 * `oel knowledge review`. Writes are atomic. A file that is not a valid reviews file is never overwritten: it is
 * renamed aside (`<name>.invalid-<time>`) and a fresh one started, so no data is lost and reviewing keeps working.
 */
export class ReviewStore {
  constructor(readonly path: string, private readonly log: (line: string) => void = () => undefined) {}

  /** The records on disk now. An invalid file reads as no reviews (every flagged item needs one) and is logged. */
  async load(): Promise<ReviewSet> {
    try {
      return await readReviewsFile(this.path);
    } catch (e) {
      this.log(`knowledge reviews: ${(e as Error).message}; no reviews apply until it is fixed or a review is recorded`);
      return new ReviewSet();
    }
  }

  /** Records that a person reviewed these items as their texts read now. Returns the set as written. */
  async record(items: readonly Pick<KnowledgeItem, 'id' | 'text'>[], now = new Date()): Promise<ReviewSet> {
    let current: ReviewSet;
    try {
      current = await readReviewsFile(this.path);
    } catch (e) {
      const aside = `${this.path}.invalid-${now.toISOString().replace(/[:.]/g, '-')}`;
      await rename(this.path, aside);
      this.log(`knowledge reviews: ${(e as Error).message}; kept it as ${aside} and started a new file`);
      current = new ReviewSet();
    }
    let next = current;
    for (const i of items) {
      const hash = itemTextHash(i.text);
      if (!next.has(i.id, hash)) next = next.union(new ReviewSet([{ id: i.id, hash, reviewed: now.toISOString() }]));
    }
    if (next === current) return current;
    await writeFileAtomic(this.path, serializeReviews(next.records));
    return next;
  }
}
