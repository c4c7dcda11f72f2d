/**
 * Secret redaction, applied to every trajectory step before it reaches disk, to knowledge text, and (through
 * {@link findSecretsThorough}) by the anonymizer (`src/core/anonymize`). Two layers:
 * - {@link redactSecrets}: synchronous, own patterns for the common secret shapes (`secretPatterns.ts`) and for
 *   secrets named by their context (`secretContexts.ts`), plus literal known values (the configured API key).
 *   Microseconds per step, so it can run on every step.
 * - {@link redactSecretsThorough}: the same, then the secretlint recommended preset for what the patterns miss. It is
 *   async and costs about 0.2 ms per 2 KB string (bench/agent/redact.bench.ts), so the recorder runs it before the
 *   append, off the agent loop (steps go through a promise chain).
 */
import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { COMMAND_PATTERNS, findContextualSecrets, type SecretFinding } from './secretContexts';
import { TOKEN_PATTERNS, type SecretPattern } from './secretPatterns';

export type { SecretFinding } from './secretContexts';

/** What a secret is replaced with; the kind in brackets helps a reader understand what was there. */
export function redactionMarker(kind: string): string {
  return `[REDACTED:${kind}]`;
}

/** Ranks findings from the same text so that, when two overlap, the more precise one names the merged range. */
interface RankedFinding extends SecretFinding { rank: number }

function patternFindings(text: string, patterns: readonly SecretPattern[], rankBase: number, out: RankedFinding[]): void {
  patterns.forEach((p, n) => {
    p.re.lastIndex = 0;
    for (const m of text.matchAll(p.re)) {
      const groups = p.group === undefined ? [0] : Array.isArray(p.group) ? p.group : [p.group];
      const g = groups.find((i) => m.indices?.[i] !== undefined);
      if (g === undefined) continue;
      const [start, end] = m.indices![g];
      if (end <= start) continue;
      if (p.accept && !p.accept(text.slice(start, end), text, start)) continue;
      // A placeholder in a token's shape (`sk-xxxxxxxxxxxxxxxxxxxxxxxx`, `ghp_0000…`) documents a format; it is no secret.
      if (/(.)\1{7,}/.test(text.slice(start, end)) && !/-----BEGIN/.test(text.slice(start, end))) continue;
      out.push({ start, end, kind: p.kind, rank: rankBase + n });
    }
  });
}

/** Overlapping or touching-inside findings become one range (nothing of either survives), named by the best rank. */
function mergeFindings(found: RankedFinding[]): SecretFinding[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  const merged: RankedFinding[] = [];
  for (const f of found) {
    const last = merged[merged.length - 1];
    if (last && f.start < last.end) {
      if (f.end > last.end) last.end = f.end;
      if (f.rank < last.rank) { last.rank = f.rank; last.kind = f.kind; }
    } else {
      merged.push({ ...f });
    }
  }
  return merged.map(({ start, end, kind }) => ({ start, end, kind }));
}

function rankedSync(text: string, known: readonly string[]): RankedFinding[] {
  const out: RankedFinding[] = [];
  for (const value of known) {
    if (!value || value.length < 4) continue;
    for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + value.length)) out.push({ start: i, end: i + value.length, kind: 'configured-key', rank: 0 });
  }
  patternFindings(text, TOKEN_PATTERNS, 1, out);
  patternFindings(text, COMMAND_PATTERNS, 1000, out);
  for (const f of findContextualSecrets(text)) out.push({ ...f, rank: 2000 });
  return out;
}

/**
 * Finds secrets in `text` synchronously: literal `known` values (e.g. the configured API key, whatever their shape),
 * vendor token shapes (`secretPatterns.ts`) and secrets named by their context (`secretContexts.ts`). Findings are
 * sorted, and overlapping ones are merged so that replacing each range leaves nothing of any secret.
 */
export function findSecrets(text: string, known: readonly string[] = []): SecretFinding[] {
  return mergeFindings(rankedSync(text, known));
}

/** Replaces each finding's range with `replacement(finding)`; findings must be sorted and disjoint. */
export function replaceFindings(text: string, findings: readonly SecretFinding[], replacement: (f: SecretFinding) => string): string {
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.start) + replacement(f);
    at = f.end;
  }
  return out + text.slice(at);
}

/**
 * Replaces secrets in `text` synchronously. `known` are literal values (e.g. the configured API key) replaced
 * wherever they appear, whatever their shape.
 */
export function redactSecrets(text: string, known: readonly string[] = []): string {
  return replaceFindings(text, findSecrets(text, known), (f) => redactionMarker(f.kind));
}

const SECRETLINT_CONFIG = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }] };

async function secretlintFindings(content: string): Promise<RankedFinding[]> {
  const result = await lintSource({ source: { filePath: '/trajectory-step.txt', content, contentType: 'text' }, options: { config: SECRETLINT_CONFIG, noPhysicFilePath: true } });
  return result.messages
    .filter((m) => m.range[1] > m.range[0])
    .map((m) => ({ start: m.range[0], end: m.range[1], kind: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, ''), rank: 5000 }));
}

/**
 * {@link findSecrets} plus the secretlint recommended preset, run over the same original text (async, ~0.2 ms per
 * 2 KB string). Findings of both are merged; where they overlap, the own patterns name the range.
 */
export async function findSecretsThorough(text: string, known: readonly string[] = []): Promise<SecretFinding[]> {
  const found = rankedSync(text, known);
  if (text.length >= 8) found.push(...(await secretlintFindings(text)));
  return mergeFindings(found);
}

/** Texts are joined for one secretlint run per chunk of about this many characters. */
const BATCH_CHARS = 512 * 1024;
const BATCH_SEPARATOR = '\n\n\n';

/**
 * {@link findSecretsThorough} for many texts at once: secretlint runs once per ~512 KB of joined texts instead of once
 * per text (its fixed cost per call dominates on short texts such as knowledge items), and its findings are mapped
 * back to each text. A finding that would cross from one text into the next is cut at the text's end.
 */
export async function findSecretsThoroughBatch(texts: readonly string[], known: readonly string[] = []): Promise<SecretFinding[][]> {
  const found = texts.map((t) => rankedSync(t, known));
  for (let first = 0; first < texts.length;) {
    let last = first;
    let size = texts[first].length;
    while (last + 1 < texts.length && size + texts[last + 1].length + BATCH_SEPARATOR.length <= BATCH_CHARS) size += texts[++last].length + BATCH_SEPARATOR.length;
    const offsets: number[] = [];
    let content = '';
    for (let i = first; i <= last; i++) {
      offsets.push(content.length);
      content += texts[i] + (i < last ? BATCH_SEPARATOR : '');
    }
    if (content.length >= 8) {
      for (const f of await secretlintFindings(content)) {
        // The text holding the finding's start: the last offset at or before it.
        let lo = 0;
        let hi = offsets.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (offsets[mid] <= f.start) lo = mid;
          else hi = mid - 1;
        }
        const item = first + lo;
        const start = f.start - offsets[lo];
        const end = Math.min(f.end - offsets[lo], texts[item].length);
        if (end > start) found[item].push({ ...f, start, end });
      }
    }
    first = last + 1;
  }
  return found.map(mergeFindings);
}

/** {@link redactSecrets}, then secretlint's recommended preset for what the own patterns miss (async). */
export async function redactSecretsThorough(text: string, known: readonly string[] = []): Promise<string> {
  return replaceFindings(text, await findSecretsThorough(text, known), (f) => redactionMarker(f.kind));
}

/** Applies {@link redactSecrets} to every string inside a JSON-like value (objects, arrays), returning a copy. */
export function redactValue<T>(value: T, known: readonly string[] = []): T {
  if (typeof value === 'string') return redactSecrets(value, known) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, known)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, known)])) as T;
  }
  return value;
}

/** Async deep variant of {@link redactValue} that uses {@link redactSecretsThorough} on every string. */
export async function redactValueThorough<T>(value: T, known: readonly string[] = []): Promise<T> {
  if (typeof value === 'string') return (await redactSecretsThorough(value, known)) as T;
  if (Array.isArray(value)) return (await Promise.all(value.map((v) => redactValueThorough(v, known)))) as T;
  if (value && typeof value === 'object') {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await redactValueThorough(v, known)] as const));
    return Object.fromEntries(entries) as T;
  }
  return value;
}

/**
 * A short, redacted rendering of an untrusted value for a log line: JSON, secrets removed BEFORE it is cut to
 * `maxChars`, so a cut can never leave the start of a secret that the patterns would no longer recognise.
 */
export function redactForLog(value: unknown, known: readonly string[] = [], maxChars = 200): string {
  let text: string;
  try { text = JSON.stringify(value) ?? String(value); } catch { text = String(value); }
  const clean = redactSecrets(text, known);
  return clean.length > maxChars ? `${clean.slice(0, maxChars)}… (${clean.length} chars)` : clean;
}
