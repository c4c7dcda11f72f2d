/**
 * The anonymizer: what a submission to a team server may contain of the user's knowledge and task statements. A pure
 * function over a batch of texts (one submission) that returns the anonymized texts and every replacement made, so
 * that a preview can show original → anonymized and an audit log can say what was removed.
 *
 * It removes secrets (the redactor in `src/core/redact`, with secretlint), and personal and environment data: e-mail
 * addresses, person names (known ones given by the caller, and those in author lines or written as a full name),
 * home directories and user names, host names and internal domains, IP addresses, phone numbers, organisation and
 * repository names in code-host URLs, and the caller's own extra terms. Each value becomes a typed placeholder
 * (`<email>`, `<home>`, `<host>`, …): the same value gets the same placeholder everywhere in the submission, a second
 * distinct value of a kind gets `<kind-2>`, and so on, so a lesson still reads ("copy from <host> to <host-2>").
 * General programming knowledge stays: `process.env.OPENAI_API_KEY`, commit hashes, integrity strings, UUIDs, semver,
 * public developer sites, well-known organisations, and the word "password" in prose.
 */
import { findSecretsThoroughBatch, type SecretFinding } from '../redact/redact';
import { compileLiterals, learnedLiteral, nameLiteral, termLiteral, type Literal } from './literals';
import { findBareHosts, findCloudIdentities, findEmails, findIps, findKeyedHosts, findMachineNames, findRemotes, findShellTargets, findUrls } from './network';
import { findAuthorNames, findFullNames, findHomes, findMentions, findUsers, normaliseName } from './people';
import { findPhones } from './phones';
import { overlapsAny, resolveSpans, type AnonymizedKind, type Span } from './spans';

export { ANONYMIZED_KINDS, type AnonymizedKind } from './spans';

/** What the caller knows beyond the texts. */
export interface AnonymizeOptions {
  /** People's names known to the caller: `git config user.name`, commit authors. Hidden in all their usual spellings. */
  names?: readonly string[];
  /** The user's "also hide" list ("acme", "Project Falcon"): hidden case-insensitively, also inside identifiers. */
  terms?: readonly string[];
  /** Literal secret values (the configured API key), hidden whatever their shape. */
  secrets?: readonly string[];
}

/** One value the anonymizer replaced. Offsets are into the original text of item `item`. */
export interface Replacement {
  item: number;
  start: number;
  end: number;
  kind: AnonymizedKind;
  /** Finer kind: the secret's type (`github-token`, `password`), or how the value was found (`home-path`, `git-author`). */
  detail: string;
  original: string;
  placeholder: string;
}

/** The anonymized batch: `texts[i]` is item i anonymized; `replacements` in item order, then text order. */
export interface AnonymizeResult {
  texts: string[];
  replacements: Replacement[];
}

/** The placeholder for the `n`-th (1-based) distinct value of a kind: `<email>`, `<email-2>`, … */
export function placeholderFor(kind: AnonymizedKind, n: number): string {
  return n === 1 ? `<${kind}>` : `<${kind}-${n}>`;
}

/** Generic local parts of e-mail addresses that name a mailbox, not a person. */
const GENERIC_LOCAL_PARTS = /^(?:info|support|admin|contact|hello|sales|security|noreply|no-reply|donotreply|team|dev|devs|ops|devops|billing|help|office|mail|webmaster|postmaster|abuse|jobs|careers|press|marketing|notifications?|alerts?|it|hr|finance|legal|privacy|feedback|service|services|bot|ci|build|builds|git|github|gitlab|root|test|user|example|me|you|name|first\.last|firstname\.lastname|jane\.doe|john\.doe)$/i;

function detect(text: string, secrets: readonly SecretFinding[]): Span[] {
  const spans: Span[] = [];
  for (const f of secrets) {
    spans.push({ start: f.start, end: f.end, kind: 'secret', detail: f.kind, key: text.slice(f.start, f.end) });
  }
  findEmails(text, spans);
  findUrls(text, spans);
  findRemotes(text, spans);
  findShellTargets(text, spans);
  findHomes(text, spans);
  findUsers(text, spans);
  findKeyedHosts(text, spans);
  findBareHosts(text, spans);
  findMachineNames(text, spans);
  findCloudIdentities(text, spans);
  findIps(text, spans);
  findAuthorNames(text, spans);
  findFullNames(text, spans);
  findMentions(text, spans);
  findPhones(text, spans);
  // `ssh deploy@bastion.acme.io` is a user and a host, which read better as <user>@<host> than as an e-mail.
  const hostEnds = new Set(spans.filter((h) => h.detail === 'shell-host' && text[h.start - 1] === '@').map((h) => h.end));
  return hostEnds.size ? spans.filter((s) => s.kind !== 'email' || !hostEnds.has(s.end)) : spans;
}

/**
 * Where a user name belongs to a person, and so is worth hiding wherever else it appears. Service accounts of
 * connection strings and settings (`postgres://orders:…@`, `DB_USER=orders`) are not hunted elsewhere: their names
 * are often ordinary words ("orders", "reports") that a lesson needs.
 */
const PERSONAL_USER_SOURCES = new Set(['shell-user', 'ssh-user', 'tilde-user', 'mention', 'whoami', 'logged-in-as', 'ssh-config-user', 'auth-log']);

/** Values found by context in one place, to be hidden wherever else they appear in the submission. */
function learn(texts: readonly string[], perItem: readonly Span[][]): Literal[] {
  const out: Literal[] = [];
  perItem.forEach((list, item) => {
    for (const s of list) {
      const original = texts[item].slice(s.start, s.end);
      if (s.kind === 'name') {
        const lit = nameLiteral(original, 'learned-name');
        if (lit) out.push({ ...lit, key: s.key });
      } else if (s.kind === 'home' || (s.kind === 'user' && PERSONAL_USER_SOURCES.has(s.detail))) {
        const lit = learnedLiteral('user', s.key, 'learned-user');
        if (lit) out.push(lit);
      } else if (s.kind === 'org' || s.kind === 'repo') {
        const lit = learnedLiteral(s.kind, s.key, `learned-${s.kind}`);
        if (lit) out.push(lit);
      } else if (s.kind === 'email') {
        const local = s.key.split('@')[0].replace(/\+.*$/, '');
        if (GENERIC_LOCAL_PARTS.test(local)) continue;
        const person = /^([a-z]{2,})[._]([a-z]{2,})$/.exec(local);
        if (person) {
          const lit = nameLiteral(`${person[1]} ${person[2]}`, 'learned-name');
          if (lit) out.push(lit);
        } else if (/^[a-z][a-z0-9]{3,}$/.test(local)) {
          const lit = learnedLiteral('user', local, 'learned-user');
          if (lit) out.push(lit);
        }
      } else if (s.kind === 'host' && /[\d-]/.test(s.key.split('.')[0]) && s.key.split('.')[0].length >= 4) {
        const lit = learnedLiteral('host', s.key.split('.')[0], 'learned-host');
        if (lit) out.push({ ...lit, key: s.key.split('.')[0] });
      }
    }
  });
  return out;
}

/**
 * Anonymizes one submission: `texts` are its items (knowledge items, task statements). Placeholders are consistent
 * across the whole batch. Never throws on any input text; the cost is linear in the total length.
 */
export async function anonymizeTexts(texts: readonly string[], options: AnonymizeOptions = {}): Promise<AnonymizeResult> {
  const secrets = await findSecretsThoroughBatch(texts, options.secrets ?? []);
  const perItem = texts.map((text, i) => detect(text, secrets[i]));

  const literals: Literal[] = [];
  for (const n of options.names ?? []) {
    const lit = nameLiteral(n, 'known-name');
    if (lit) literals.push(lit);
  }
  for (const t of options.terms ?? []) {
    const lit = termLiteral(t);
    if (lit) literals.push(lit);
  }
  literals.push(...learn(texts, perItem));
  const matcher = compileLiterals(literals);

  const counters = new Map<AnonymizedKind, number>();
  const placeholders = new Map<string, string>();
  const replacements: Replacement[] = [];
  const out = texts.map((text, item) => {
    // What the detectors found by context wins over a literal found again elsewhere: a learned organisation name
    // inside a host name must not cut the host in two.
    const detected = resolveSpans(perItem[item]);
    const literal: Span[] = [];
    matcher.find(text, literal);
    const extra = literal.filter((l) => !overlapsAny(detected, l));
    let result = '';
    let at = 0;
    for (const s of resolveSpans([...detected, ...extra])) {
      const id = `${s.kind}\u0000${s.kind === 'name' ? normaliseName(s.key) : s.key}`;
      let placeholder = placeholders.get(id);
      if (!placeholder) {
        const n = (counters.get(s.kind) ?? 0) + 1;
        counters.set(s.kind, n);
        placeholder = placeholderFor(s.kind, n);
        placeholders.set(id, placeholder);
      }
      const original = text.slice(s.start, s.end);
      replacements.push({ item, start: s.start, end: s.end, kind: s.kind, detail: s.detail, original, placeholder });
      result += text.slice(at, s.start) + placeholder;
      at = s.end;
    }
    return result + text.slice(at);
  });
  return { texts: out, replacements };
}
