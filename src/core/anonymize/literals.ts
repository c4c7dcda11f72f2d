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

const FILE_NAME = /\.(?:ya?ml|json|jsonc|js|mjs|cjs|ts|tsx|jsx|py|md|txt|sh|toml|lock|xml|html|css|go|rs|java|rb|php|cfg|ini|env|log|sql|csv|tf|conf|cs|cpp|c|h)$/i;

/** A value learned from one detector's finding, to be hidden wherever else it appears. */
export function learnedLiteral(kind: AnonymizedKind, key: string, detail: string): Literal | null {
  const words = wordsOf(key);
  const joined = words.join('');
  if (joined.length < 4 || /^\d+$/.test(joined)) return null;
  if (words.length === 1 && (COMMON_WORDS.has(joined.toLowerCase()) || GENERIC_USERS.has(joined.toLowerCase()))) return null;
  if (FILE_NAME.test(key)) return null; // a file name mistaken for a user or repository elsewhere: not worth hunting
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

/** A compiled set of literals. */
export interface LiteralMatcher {
  find(text: string, out: Span[]): void;
}

/** One spelling of a literal, tried where a text token equals its first token. */
interface Spelling { lit: Literal; re: RegExp; lead: number }

/** Word tokens, split at camel-case humps too ("AcmeClient" → Acme, Client; "ACMEClient" → ACME, Client). */
const TOKEN = /\p{Lu}?\p{Ll}+|\p{Lu}+(?!\p{Ll})|\p{N}+|[\p{L}\p{M}]+/gu;

/**
 * Compiles `literals` into one matcher. Each spelling is indexed by its first word token, and the text is scanned
 * once for tokens, so the cost is linear in the text whatever the number of literals (a submission may know
 * thousands of names). The first literal of a spelling keeps it.
 */
export function compileLiterals(literals: readonly Literal[]): LiteralMatcher {
  const byToken = new Map<string, Spelling[]>();
  const seen = new Set<string>();
  const parts = new Map<string, Literal>();
  const add = (lit: Literal, pattern: string, sample: string): void => {
    if (seen.has(pattern.toLowerCase())) return;
    seen.add(pattern.toLowerCase());
    const first = [...sample.matchAll(TOKEN)][0];
    if (!first) return;
    const spelling = { lit, re: new RegExp(pattern, 'iuy'), lead: first.index };
    // The text may write the words of a name joined ("janedoe"): its token is then the whole joined word.
    for (const key of new Set([first[0].toLowerCase(), sample.replace(/[\s._-]+/g, '').toLowerCase()])) {
      const list = byToken.get(key) ?? [];
      list.push(spelling);
      byToken.set(key, list);
    }
  };
  for (const lit of literals) {
    add(lit, lit.words.map(escape).join('[\\s._-]?'), lit.words.join(' '));
    if (lit.parts) {
      for (const w of lit.words) {
        if (w.length >= 3 && isUpper(w[0]) && !COMMON_WORDS.has(w.toLowerCase()) && !parts.has(w)) parts.set(w, lit);
      }
    }
    // "jdoe" and "j.doe" for "Jane Doe": the handle most systems derive from a name.
    if (lit.kind === 'name' && lit.words.length >= 2) {
      const last = lit.words[lit.words.length - 1];
      if (last.length >= 3) add(lit, `${escape(lit.words[0][0])}[._-]?${escape(last)}`, `${lit.words[0][0]}.${last}`);
    }
  }
  return {
    find(text: string, out: Span[]): void {
      if (byToken.size === 0 && parts.size === 0) return;
      for (const m of text.matchAll(TOKEN)) {
        const spellings = byToken.get(m[0].toLowerCase());
        if (spellings) {
          for (const sp of spellings) {
            const at = m.index - sp.lead;
            if (at < 0) continue;
            sp.re.lastIndex = at;
            const hit = sp.re.exec(text);
            if (hit && onBoundaries(text, at, at + hit[0].length)) pushSpan(out, at, at + hit[0].length, sp.lit.kind, sp.lit.detail, sp.lit.key);
          }
        }
        const part = parts.get(m[0]);
        if (part && !isAlnum(text[m.index - 1]) && !isAlnum(text[m.index + m[0].length])) {
          pushSpan(out, m.index, m.index + m[0].length, part.kind, `${part.detail}-part`, part.key);
        }
      }
    },
  };
}
