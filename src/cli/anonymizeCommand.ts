/**
 * `oel anonymize [FILE|-]` and `oel anonymize --jsonl`: the anonymizer the team client runs before a submission, for
 * team CI and auditors. The whole input is one submission, so a value gets the same placeholder everywhere in it.
 */
import { readFile } from 'node:fs/promises';
import { anonymizeTexts, type AnonymizeResult } from '../core/anonymize/anonymize';
import { list, parseCommand } from './args';

const usage = `usage: oel anonymize [FILE|-] [--name NAME]... [--term TERM]... [--report]
       oel anonymize --jsonl [FILE|-] [--name NAME]... [--term TERM]... [--report]

Replaces secrets and personal or environment data with typed placeholders (<secret>, <email>, <name>, <home>,
<user>, <host>, <ip>, <phone>, <org>, <repo>, <term>); the same value gets the same placeholder throughout the input,
a second distinct value of a kind gets <kind-2>, and so on. See docs/privacy.md, "What the anonymizer removes".

  FILE|-        read this file (default, and '-': standard input) and print the anonymized text
  --jsonl       the input is JSON Lines, one {"text": "..."} object per line (empty lines are skipped); print one
                {"text": "..."} line per input line, in the same order. Other fields are not copied.
  --name NAME   a person's name to hide in all its usual spellings (repeatable), e.g. from git config user.name
  --term TERM   an extra term to hide, case-insensitively and inside identifiers (repeatable),
                e.g. --term acme --term "Project Falcon"
  --report      also print, on standard error, how many values of each kind were replaced (counts only)

Exit status: 0 done; 1 the input could not be read or a JSON line is malformed (nothing is printed then); 2 bad usage.
`;

async function readInput(path: string | undefined): Promise<string> {
  if (path === undefined || path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(path, 'utf8');
}

/** Parses JSON Lines into texts, or says which line is wrong and why. */
export function parseJsonlTexts(input: string): { texts: string[] } | { error: string } {
  const texts: string[] = [];
  const lines = input.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      return { error: `line ${i + 1}: not valid JSON (${(e as Error).message})` };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: `line ${i + 1}: expected an object like {"text": "..."}, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
    const text = (value as Record<string, unknown>).text;
    if (typeof text !== 'string') return { error: `line ${i + 1}: "text" must be a string, got ${text === undefined ? 'no "text" field' : text === null ? 'null' : typeof text}` };
    texts.push(text);
  }
  return { texts };
}

function report(result: AnonymizeResult): void {
  const counts = new Map<string, number>();
  for (const r of result.replacements) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`);
  process.stderr.write(`oel anonymize: ${result.replacements.length} replacement(s) in ${result.texts.length} text(s)${parts.length ? `: ${parts.join(', ')}` : ''}\n`);
}

/** Runs `oel anonymize <args>`; returns the exit status. */
export async function runAnonymizeCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { jsonl: { type: 'boolean' }, name: { type: 'string', multiple: true }, term: { type: 'string', multiple: true }, report: { type: 'boolean' } });
  if (parsed.kind === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  const bad = (why: string): number => {
    process.stderr.write(`oel anonymize: ${why}\n${usage}`);
    return 2;
  };
  if (parsed.kind === 'error') return bad(parsed.message);
  const { values, positionals } = parsed;
  if (positionals.length > 1) return bad(`one input at a time, got '${positionals.join("' '")}'`);
  const path = positionals[0];
  let input: string;
  try {
    input = await readInput(path);
  } catch (e) {
    process.stderr.write(`oel anonymize: cannot read ${path}: ${(e as Error).message}\n`);
    return 1;
  }
  const options = { names: list(values, 'name'), terms: list(values, 'term') };
  if (values.jsonl) {
    const lines = parseJsonlTexts(input);
    if ('error' in lines) {
      process.stderr.write(`oel anonymize: ${path && path !== '-' ? `${path}: ` : ''}${lines.error}\n`);
      return 1;
    }
    const result = await anonymizeTexts(lines.texts, options);
    process.stdout.write(result.texts.map((text) => `${JSON.stringify({ text })}\n`).join(''));
    if (values.report) report(result);
    return 0;
  }
  const result = await anonymizeTexts([input], options);
  process.stdout.write(result.texts[0]);
  if (values.report) report(result);
  return 0;
}
