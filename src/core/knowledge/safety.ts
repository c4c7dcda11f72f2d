/**
 * Safety checks on knowledge text before it can reach a prompt: secrets are redacted (they never enter the file),
 * and text that carries commands, URLs, credentials or instructions aimed at the agent is flagged. A flagged item is
 * never auto-accepted; a person must look at it.
 */
import { redactSecrets } from '../redact/redact';
import type { KnowledgeFlag } from './format';

interface Rule { kind: KnowledgeFlag['kind']; re: RegExp; reason: string }

const RULES: Rule[] = [
  { kind: 'command', re: /`[^`]*\b(?:npm|npx|pnpm|yarn|git|rm|curl|wget|sudo|bash|sh|chmod|chown|pip|docker|kubectl|make|node|python3?|powershell|cmd)\b[^`]*`/i, reason: 'backticked shell command' },
  { kind: 'command', re: /(?:^|[\s;&|(])(?:npm|npx|pnpm|yarn) [a-z-]+/i, reason: 'package manager command' },
  { kind: 'command', re: /(?:^|[\s;&|(])rm -[a-z]*[rf]|(?:^|[\s;&|(])rm /i, reason: 'file deletion command (rm)' },
  { kind: 'command', re: /(?:^|[\s;&|(])(?:curl|wget) /i, reason: 'network download command (curl/wget)' },
  { kind: 'command', re: /(?:^|[\s;&|(])sudo /i, reason: 'privileged command (sudo)' },
  { kind: 'command', re: /\|\s*(?:ba|z)?sh\b|(?:chmod|chown) [+0-7a-z]/i, reason: 'shell pipe or permission change' },
  { kind: 'url', re: /\b(?:https?|ftp|file|ssh|git):\/\/\S+|\bwww\.[a-z0-9-]+\.[a-z]{2,}/i, reason: 'contains a URL' },
  { kind: 'credential', re: /\[REDACTED:[a-z0-9-]+\]/i, reason: 'a secret was redacted from this text' },
  { kind: 'credential', re: /\b(?:password|passwd|api[_ -]?key|secret|token|credential|private key)s?\b/i, reason: 'mentions credentials' },
  { kind: 'instruction', re: /\bignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier|system)\b/i, reason: "instruction-like text: 'ignore previous'" },
  { kind: 'instruction', re: /\bdisregard\b/i, reason: "instruction-like text: 'disregard'" },
  { kind: 'instruction', re: /\balways run\b/i, reason: "instruction-like text: 'always run'" },
  { kind: 'instruction', re: /\byou must\b/i, reason: "instruction-like text: 'you must'" },
  { kind: 'instruction', re: /\bdo not (?:tell|inform|mention|reveal)|\bdon't (?:tell|inform|mention)|\bwithout (?:telling|asking) the user\b/i, reason: "instruction-like text: 'do not tell'" },
  { kind: 'instruction', re: /\b(?:system prompt|new instructions|act as|pretend to be|jailbreak)\b/i, reason: 'instruction-like text aimed at the agent' },
];

/** Returns the safety flags for a piece of knowledge text (one per distinct reason). */
export function safetyFlags(text: string): KnowledgeFlag[] {
  const out: KnowledgeFlag[] = [];
  for (const r of RULES) {
    if (r.re.test(text) && !out.some((f) => f.reason === r.reason)) out.push({ kind: r.kind, reason: r.reason });
  }
  return out;
}

/**
 * Removes secrets from knowledge text with the project's redactor (src/core/redact). `known` are literal values to
 * remove wherever they appear (e.g. the configured API key).
 */
export function redactKnowledgeText(text: string, known: readonly string[] = []): string {
  return redactSecrets(text, known);
}
