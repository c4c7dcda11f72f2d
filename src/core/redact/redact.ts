/**
 * Secret redaction, applied to every trajectory step before it reaches disk. Two layers:
 * - {@link redactSecrets}: synchronous, own patterns for the common secret shapes plus literal known values (the
 *   configured API key). Microseconds per step, so it can run on every step.
 * - {@link redactSecretsThorough}: the same, then the secretlint recommended preset for what the patterns miss. It is
 *   async and costs about 0.2 ms per 2 KB string (bench/agent/redact.bench.ts), so the recorder runs it before the
 *   append, off the agent loop (steps go through a promise chain).
 */
import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';

/** What a secret is replaced with; the kind in brackets helps a reader understand what was there. */
export function redactionMarker(kind: string): string {
  return `[REDACTED:${kind}]`;
}

interface Pattern { kind: string; re: RegExp; /** Capture group holding the secret (0 = whole match). */ group?: number }

// Ordered: specific shapes before generic assignments, so the marker names the most precise kind.
const PATTERNS: Pattern[] = [
  { kind: 'private-key', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  { kind: 'openai-key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { kind: 'anthropic-key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g },
  { kind: 'aws-access-key', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { kind: 'aws-secret-key', re: /(aws_secret_access_key|AWS_SECRET_ACCESS_KEY|SecretAccessKey)(["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})/g, group: 3 },
  { kind: 'slack-token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g },
  { kind: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'bearer', re: /(Authorization\s*[:=]\s*["']?(?:Bearer|Basic|Token)\s+)([A-Za-z0-9._~+/=-]{8,})/gi, group: 2 },
  { kind: 'url-password', re: /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi, group: 2 },
  {
    kind: 'assignment',
    re: /((?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key)["']?\s*[:=]\s*["']?)([^\s"',;]{4,})/gi,
    group: 2,
  },
];

function applyPattern(text: string, p: Pattern): string {
  return text.replace(p.re, (...m: unknown[]) => {
    const match = m[0] as string;
    if (!p.group) return redactionMarker(p.kind);
    const groups = m.slice(1, -2) as (string | undefined)[];
    if (match.includes('[REDACTED:')) return match;
    return groups.map((g, i) => (i + 1 === p.group ? redactionMarker(p.kind) : g ?? '')).join('');
  });
}

/**
 * Replaces secrets in `text` synchronously. `known` are literal values (e.g. the configured API key) replaced
 * wherever they appear, whatever their shape.
 */
export function redactSecrets(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const value of known) if (value && value.length >= 4) out = out.split(value).join(redactionMarker('configured-key'));
  for (const p of PATTERNS) out = applyPattern(out, p);
  return out;
}

const SECRETLINT_CONFIG = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }] };

/** {@link redactSecrets}, then secretlint's recommended preset over the result (async, ~0.2 ms per 2 KB string). */
export async function redactSecretsThorough(text: string, known: readonly string[] = []): Promise<string> {
  let out = redactSecrets(text, known);
  if (out.length < 8) return out;
  const result = await lintSource({ source: { filePath: '/trajectory-step.txt', content: out, contentType: 'text' }, options: { config: SECRETLINT_CONFIG, noPhysicFilePath: true } });
  // Replace from the end so earlier ranges stay valid.
  const ranges = result.messages.map((m) => ({ range: m.range, kind: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, '') })).sort((a, b) => b.range[0] - a.range[0]);
  let lastStart = Infinity;
  for (const { range, kind } of ranges) {
    if (range[1] > lastStart) continue; // overlapping finding, already covered
    out = out.slice(0, range[0]) + redactionMarker(kind) + out.slice(range[1]);
    lastStart = range[0];
  }
  return out;
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
