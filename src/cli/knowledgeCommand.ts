/** `oel knowledge check|fmt|prompt|review|extract`: the knowledge file without VS Code. */
import { readFile } from 'node:fs/promises';
import { EpisodeSchema, type Episode } from '../core/trajectory/episode';
import { parseEpisodeFile } from '../core/trajectory/episodeFile';
import { liveItems, parseKnowledge, serializeKnowledge, tombstones } from '../core/knowledge/format';
import { extractKnowledge } from '../core/knowledge/extraction';
import { writeFileAtomic } from '../core/util/atomicWrite';
import { parseCommand, str, type Options, type Values } from './args';
import { check, prompt, readOrFail, review, reviewHelp } from './knowledgeReview';

const usage = `usage: oel knowledge <command> ...

commands:
  check <file> [--reviews FILE]... [--json]
                             report problems and flagged items without a review; exit 1 on either
  fmt <file>                 rewrite the file in canonical form (atomic); hand-written text is kept
  prompt <file>... [--request TEXT] [--file PATH]... [--budget N] [--reviews FILE]... [--json]
                             print the exact knowledge slot the agent would get from these files
  review <file> <id>... --reviews FILE
                             record that you reviewed these items as their text reads now
  extract --trajectory <episode.json|.jsonl> [--knowledge <file>] --base-url URL --model M [--json]
                             propose new items from a trajectory (API key from OPENAI_API_KEY)

'oel knowledge <command> --help' explains a command.
`;

/** One subcommand: its options, help text and what it does. */
interface Command {
  options: Options;
  help: string;
  run: (values: Values, positionals: string[], bad: (why?: string) => number) => Promise<number>;
}

const commands: Record<string, Command> = {
  check: { options: { json: { type: 'boolean' }, reviews: { type: 'string', multiple: true } }, help: reviewHelp.check, run: check },
  fmt: {
    options: {},
    help: 'usage: oel knowledge fmt <file>\n\nRewrites the file in canonical form, atomically. Items that do not parse are kept as text.\nExit 0 on success (1 if the file has errors, which are printed), 2 on bad usage.\n',
    run: fmt,
  },
  prompt: {
    options: { request: { type: 'string' }, file: { type: 'string', multiple: true }, budget: { type: 'string' }, reviews: { type: 'string', multiple: true }, json: { type: 'boolean' } },
    help: reviewHelp.prompt,
    run: prompt,
  },
  review: { options: { reviews: { type: 'string' } }, help: reviewHelp.review, run: review },
  extract: {
    options: { trajectory: { type: 'string' }, knowledge: { type: 'string' }, 'base-url': { type: 'string' }, model: { type: 'string' }, json: { type: 'boolean' } },
    help:
      'usage: oel knowledge extract --trajectory <episode.json|.jsonl> [--knowledge <file>] --base-url URL --model M [--json]\n\n' +
      'Asks the model for at most 2 new knowledge items learned from the trajectory, and prints them with their safety\n' +
      'flags and duplicates. The file is not modified. The API key is read from OPENAI_API_KEY (may be empty).\n',
    run: extract,
  },
};

async function fmt(_values: Values, positionals: string[], bad: (why?: string) => number): Promise<number> {
  if (positionals.length !== 1) return bad(positionals.length ? 'one file at a time' : 'a file is required');
  const [file] = positionals;
  const text = await readOrFail(file);
  if (text === null) return 2;
  const { doc, diagnostics } = parseKnowledge(text);
  for (const d of diagnostics.filter((x) => x.severity === 'error')) process.stdout.write(`${file}:${d.line}: ${d.severity}: ${d.message}\n`);
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

async function extract(values: Values, positionals: string[], bad: (why?: string) => number): Promise<number> {
  if (positionals.length) return bad(`unexpected argument '${positionals[0]}'`);
  const traj = str(values, 'trajectory');
  const baseUrl = str(values, 'base-url');
  const model = str(values, 'model');
  if (!traj || !baseUrl || !model) return bad('--trajectory, --base-url and --model are required');
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
  const kPath = str(values, 'knowledge');
  let kText = '';
  if (kPath !== undefined) {
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
  if (values.json) {
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

/** Runs `oel knowledge <args>`; returns the exit code (2: bad usage, with the reason and the command's usage on stderr). */
export async function runKnowledgeCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(usage);
    return name === undefined ? 2 : 0;
  }
  const cmd = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!cmd) {
    process.stderr.write(`oel knowledge: unknown command '${name}'\n${usage}`);
    return 2;
  }
  const bad = (why?: string): number => {
    process.stderr.write(`${why ? `oel knowledge ${name}: ${why}\n` : ''}${cmd.help}`);
    return 2;
  };
  const parsed = parseCommand(rest, cmd.options);
  if (parsed.kind === 'help') {
    process.stdout.write(cmd.help);
    return 0;
  }
  if (parsed.kind === 'error') return bad(parsed.message);
  return cmd.run(parsed.values, parsed.positionals, bad);
}
