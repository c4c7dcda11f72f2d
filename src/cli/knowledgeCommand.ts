/** `oel knowledge check|fmt|extract`: the knowledge file without VS Code. */
import { readFile } from 'node:fs/promises';
import { EpisodeSchema, type Episode } from '../core/trajectory/episode';
import { parseEpisodeFile } from '../core/trajectory/episodeFile';
import { liveItems, parseKnowledge, serializeKnowledge, tombstones, type KnowledgeDiagnostic } from '../core/knowledge/format';
import { extractKnowledge } from '../core/knowledge/extraction';
import { writeFileAtomic } from '../core/util/atomicWrite';

const usage = `usage: oel knowledge <command> ...

commands:
  check <file> [--json]      report diagnostics; exit 1 when there are errors
  fmt <file>                 rewrite the file in canonical form (atomic); hand-written text is kept
  extract --trajectory <episode.json|.jsonl> [--knowledge <file>] --base-url URL --model M [--json]
                             propose new items from a trajectory (API key from OPENAI_API_KEY)
`;

const help: Record<string, string> = {
  check: 'usage: oel knowledge check <file> [--json]\n\nParses a knowledge file and prints its diagnostics (line: severity: message).\nExit 0 when there are no errors, 1 when there are, 2 on bad usage or an unreadable file.\n',
  fmt: 'usage: oel knowledge fmt <file>\n\nRewrites the file in canonical form, atomically. Items that do not parse are kept as text.\nExit 0 on success (1 if the file has errors, which are printed), 2 on bad usage.\n',
  extract:
    'usage: oel knowledge extract --trajectory <episode.json|.jsonl> [--knowledge <file>] --base-url URL --model M [--json]\n\n' +
    'Asks the model for at most 2 new knowledge items learned from the trajectory, and prints them with their safety\n' +
    'flags and duplicates. The file is not modified. The API key is read from OPENAI_API_KEY (may be empty).\n',
};

interface Parsed { positional: string[]; flags: Map<string, string | true> }

function parseArgs(args: string[], valued: string[]): Parsed | string {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) positional.push(a);
    else if (valued.includes(a)) {
      const v = args[++i];
      if (v === undefined) return `${a} needs a value`;
      flags.set(a, v);
    } else flags.set(a, true);
  }
  return { positional, flags };
}

function printDiagnostics(file: string, diags: KnowledgeDiagnostic[]): void {
  for (const d of diags) process.stdout.write(`${file}:${d.line}: ${d.severity}: ${d.message}\n`);
}

async function readOrFail(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    process.stderr.write(`oel knowledge: cannot read ${path}: ${(e as Error).message}\n`);
    return null;
  }
}

async function check(args: string[]): Promise<number> {
  const p = parseArgs(args, []);
  if (typeof p === 'string' || p.positional.length !== 1) return bad('check');
  const text = await readOrFail(p.positional[0]);
  if (text === null) return 2;
  const { doc, diagnostics } = parseKnowledge(text);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (p.flags.has('--json')) {
    process.stdout.write(`${JSON.stringify({ file: p.positional[0], items: liveItems(doc).length, tombstones: tombstones(doc).length, diagnostics }, null, 2)}\n`);
  } else {
    printDiagnostics(p.positional[0], diagnostics);
    process.stdout.write(`${liveItems(doc).length} items, ${tombstones(doc).length} pruned, ${errors} errors\n`);
  }
  return errors ? 1 : 0;
}

async function fmt(args: string[]): Promise<number> {
  const p = parseArgs(args, []);
  if (typeof p === 'string' || p.positional.length !== 1) return bad('fmt');
  const file = p.positional[0];
  const text = await readOrFail(file);
  if (text === null) return 2;
  const { doc, diagnostics } = parseKnowledge(text);
  printDiagnostics(file, diagnostics.filter((d) => d.severity === 'error'));
  const out = serializeKnowledge(doc);
  if (out !== text) await writeFileAtomic(file, out);
  process.stdout.write(out === text ? `${file}: already canonical\n` : `${file}: formatted\n`);
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

async function readEpisode(path: string): Promise<Episode | string> {
  const text = await readFile(path, 'utf8');
  try {
    const parsed = EpisodeSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not a single JSON document: try the JSON Lines episode file format
  }
  try {
    return parseEpisodeFile(text);
  } catch (e) {
    return `not an episode (JSON or JSON Lines): ${(e as Error).message}`;
  }
}

async function extract(args: string[]): Promise<number> {
  const p = parseArgs(args, ['--trajectory', '--knowledge', '--base-url', '--model']);
  if (typeof p === 'string') return bad('extract', p);
  const traj = p.flags.get('--trajectory');
  const baseUrl = p.flags.get('--base-url');
  const model = p.flags.get('--model');
  if (typeof traj !== 'string' || typeof baseUrl !== 'string' || typeof model !== 'string') return bad('extract', '--trajectory, --base-url and --model are required');
  let episode: Episode | string;
  try {
    episode = await readEpisode(traj);
  } catch (e) {
    episode = (e as Error).message;
  }
  if (typeof episode === 'string') {
    process.stderr.write(`oel knowledge extract: ${traj}: ${episode}\n`);
    return 2;
  }
  const kPath = p.flags.get('--knowledge');
  let kText = '';
  if (typeof kPath === 'string') {
    const t = await readOrFail(kPath);
    if (t === null) return 2;
    kText = t;
  }
  const { doc } = parseKnowledge(kText);
  const logs: string[] = [];
  const r = await extractKnowledge({
    episode,
    knowledge: liveItems(doc),
    tombstones: tombstones(doc),
    baseUrl,
    apiKey: process.env.OPENAI_API_KEY ?? '',
    model,
    log: (l) => logs.push(l),
  });
  if (p.flags.has('--json')) {
    process.stdout.write(`${JSON.stringify({ model: r.model, tokensUsed: r.tokensUsed, items: r.items, evidence: r.evidence, log: logs, error: r.error ?? null }, null, 2)}\n`);
  } else {
    for (const l of logs) process.stderr.write(`${l}\n`);
    if (r.error) process.stderr.write(`oel knowledge extract: ${r.error}\n`);
    if (r.items.length === 0) process.stdout.write('no new items proposed\n');
    for (const it of r.items) {
      process.stdout.write(`- ${it.text}${it.step === null ? '' : ` (from step ${it.step})`}\n`);
      for (const f of it.flags) process.stdout.write(`    flag: ${f.kind}: ${f.reason}\n`);
      if (it.duplicateOf) process.stdout.write(`    duplicate of ${it.duplicateOf.id}${it.duplicateOf.tombstone ? ' (pruned)' : ''} (${it.duplicateOf.method} ${it.duplicateOf.similarity.toFixed(2)})\n`);
    }
    for (const e of r.evidence) process.stdout.write(`evidence: ${e.id} ${e.kind}\n`);
    process.stdout.write(`model ${r.model}, ${r.tokensUsed} tokens\n`);
  }
  return r.error ? 1 : 0;
}

function bad(cmd: string, why?: string): number {
  process.stderr.write(`${why ? `oel knowledge ${cmd}: ${why}\n` : ''}${help[cmd]}`);
  return 2;
}

/** Runs `oel knowledge <args>`; returns the exit code. */
export async function runKnowledgeCommand(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === '-h' || cmd === '--help') {
    process.stdout.write(usage);
    return cmd === undefined ? 2 : 0;
  }
  if (!(cmd in help)) {
    process.stderr.write(`oel knowledge: unknown command '${cmd}'\n${usage}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(help[cmd]);
    return 0;
  }
  if (cmd === 'check') return check(rest);
  if (cmd === 'fmt') return fmt(rest);
  return extract(rest);
}
