/**
 * Literal values hunted for everywhere in a submission: the names the caller knows (git config, commit authors), the
 * user's own "also hide" terms, and what the detectors learned elsewhere in the same submission (a user name seen in
 * `/home/jdoe` is also hidden in `chown jdoe`, a repository seen in a URL is also hidden in prose).
 */
import { normaliseName } from './people';
import { COMMON_WORDS, GENERIC_USERS } from './publicNames';
import { pushSpan, type AnonymizedKind, type Span } from './spans';

/** One value to hunt for: its spellings and the identity its placeholder is keyed on. */
export interface Literal {
  kind: AnonymizedKind;
  detail: string;
  key: string;
  /** Words of the value; several words also match joined by space, dot, dash, underscore or nothing. */
  words: string[];
  /** Whether a single capitalised word of a multi-word name is hidden alone too ("Jane" of "Jane Doe"). */
  parts: boolean;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function wordsOf(value: string): string[] {
  return value.normalize('NFC').split(/[\s._-]+/).filter(Boolean);
}

/** A person's name given by the caller (or learned): the full name in its usual spellings, and its distinctive parts. */
export function nameLiteral(name: string, detail: string): Literal | null {
  const words = wordsOf(name);
  if (words.length === 0 || words.join('').length < 3) return null;
  if (words.length === 1 && (COMMON_WORDS.has(words[0].toLowerCase()) || GENERIC_USERS.has(words[0].toLowerCase()))) return null;
  return { kind: 'name', detail, key: normaliseName(name), words, parts: words.length > 1 };
}

/** A term from the user's "also hide" list. */
export function termLiteral(term: string): Literal | null {
  const words = wordsOf(term);
  if (words.length === 0 || words.join('').length < 2) return null;
  return { kind: 'term', detail: 'user-term', key: words.join(' ').toLowerCase(), words, parts: false };
}

/** A value learned from one detector's finding, to be hidden wherever else it appears. */
export function learnedLiteral(kind: AnonymizedKind, key: string, detail: string): Literal | null {
  const words = wordsOf(key);
  const joined = words.join('');
  if (joined.length < 4 || /^\d+$/.test(joined)) return null;
  if (words.length === 1 && (COMMON_WORDS.has(joined.toLowerCase()) || GENERIC_USERS.has(joined.toLowerCase()))) return null;
  return { kind, detail, key, words, parts: false };
}

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}]/u.test(c);
const isUpper = (c: string | undefined): boolean => c !== undefined && /\p{Lu}/u.test(c);
const isLower = (c: string | undefined): boolean => c !== undefined && /\p{Ll}/u.test(c);

/**
 * Whether a match at [start, end) stands on word boundaries. A camel-case hump counts as one (`AcmeClient`,
 * `myAcme`), so a hidden term also leaves identifiers built from it, while `pacmen` does not contain `acme`.
 */
function onBoundaries(text: string, start: number, end: number): boolean {
  const before = text[start - 1];
  const after = text[end];
  const startOk = !isAlnum(before) || (isLower(before) && isUpper(text[start]));
  const endOk = !isAlnum(after) || (isUpper(after) && !isUpper(text[end - 1])) || (/\d/.test(after ?? '') && !/\d/.test(text[end - 1]));
  return startOk && endOk;
}

/** A compiled set of literals: one case-insensitive pass for the values, one case-sensitive pass for name parts. */
export interface LiteralMatcher {
  find(text: string, out: Span[]): void;
}

/** Compiles `literals` into one matcher. Later duplicates of a spelling keep the first literal's identity. */
export function compileLiterals(literals: readonly Literal[]): LiteralMatcher {
  const bySpelling = new Map<string, Literal>();
  const parts = new Map<string, Literal>();
  const alternatives: string[] = [];
  for (const lit of literals) {
    const spelling = lit.words.map((w) => w.toLowerCase()).join(' ');
    if (!bySpelling.has(spelling)) {
      bySpelling.set(spelling, lit);
      alternatives.push(lit.words.map(escape).join('[\\s._-]?'));
    }
    if (lit.parts) {
      for (const w of lit.words) {
        if (w.length >= 3 && isUpper(w[0]) && !COMMON_WORDS.has(w.toLowerCase()) && !parts.has(w)) parts.set(w, lit);
      }
    }
    // "jdoe" and "j.doe" for "Jane Doe": the handle most systems derive from a name.
    if (lit.kind === 'name' && lit.words.length >= 2) {
      const last = lit.words[lit.words.length - 1];
      if (last.length >= 3) {
        const handle = `${lit.words[0][0]} ${last}`.toLowerCase();
        if (!bySpelling.has(handle)) {
          bySpelling.set(handle, lit);
          alternatives.push(`${escape(lit.words[0][0])}[._-]?${escape(last)}`);
        }
      }
    }
  }
  alternatives.sort((a, b) => b.length - a.length);
  const valuesRe = alternatives.length ? new RegExp(alternatives.join('|'), 'giu') : null;
  const partList = [...parts.keys()].sort((a, b) => b.length - a.length).map(escape);
  const partsRe = partList.length ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${partList.join('|')})(?![\\p{L}\\p{N}])`, 'gu') : null;
  const lookup = (matched: string): Literal | undefined => {
    const norm = matched.toLowerCase().replace(/[\s._-]+/g, ' ').trim();
    const direct = bySpelling.get(norm);
    if (direct) return direct;
    // Joined spellings ("janedoe", "JaneDoe") lost their separators: compare without them.
    const flat = norm.replace(/ /g, '');
    for (const [spelling, lit] of bySpelling) if (spelling.replace(/ /g, '') === flat) return lit;
    return undefined;
  };
  return {
    find(text: string, out: Span[]): void {
      if (valuesRe) {
        for (const m of text.matchAll(valuesRe)) {
          const end = m.index + m[0].length;
          if (!onBoundaries(text, m.index, end)) continue;
          const lit = lookup(m[0]);
          if (lit) pushSpan(out, m.index, end, lit.kind, lit.detail, lit.key);
        }
      }
      if (partsRe) {
        for (const m of text.matchAll(partsRe)) {
          const lit = parts.get(m[0]);
          if (lit) pushSpan(out, m.index, m.index + m[0].length, lit.kind, `${lit.detail}-part`, lit.key);
        }
      }
    },
  };
}
