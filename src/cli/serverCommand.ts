/**
 * `oel server ...`: run a consolidation server, or administer one. Token commands work offline on the data folder
 * (whoever can read the folder owns the server anyway); knowledge and round commands go over HTTP with an admin token,
 * so they act as the server would and respect its team boundaries.
 */
import { existsSync } from 'node:fs';
import { formatInvite } from '../core/protocol/invite';
import { loadOrCreateSigningKey } from '../server/keys';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, type ServerConfigInput } from '../server/config';
import { startServer } from '../server/app';
import { TokenFile } from '../server/tokens';
import { parseCommand, str, type Options, type Values } from './args';

/** One subcommand: the words that name it, its synopsis, the options it takes, its arguments and what it does. */
interface Sub {
  words: string[];
  synopsis: string;
  about: string;
  options: string[];
  /** Positional arguments after the words: at least `min`, at most `max`. */
  args: { min: number; max: number };
  run: (values: Values, args: string[]) => Promise<number>;
}

const REMOTE = ['url', 'token'];
const REMOTE_NOTE = ' The admin token comes from --token or OEL_ADMIN_TOKEN.';

/** Every option any subcommand takes; all take a value. Which subcommand may use which is checked after parsing. */
const ALL: Options = Object.fromEntries(
  ['model', 'data', 'port', 'host', 'k', 'python', 'trainer-path', 'team', 'role', 'member', 'url', 'token'].map((o) => [o, { type: 'string' }]),
);

function usageError(sub: Sub | undefined, why: string): number {
  process.stderr.write(`oel server${sub?.words.length ? ` ${sub.words.join(' ')}` : ''}: ${why}\n${sub ? helpOf(sub) : usage()}`);
  return 2;
}

function num(values: Values, name: string): number | undefined | string {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : `--${name} must be a number, not '${v}'`;
}

/** Where the trainer package is: an explicit flag, ./trainer, or next to this program (repo checkout or dist/). */
function findTrainerPath(explicit: string | undefined): string | undefined {
  if (explicit) return resolve(explicit);
  const script = process.argv[1] ? dirname(resolve(process.argv[1])) : process.cwd();
  const candidates = [resolve('trainer'), join(script, '..', 'trainer'), join(script, '..', '..', 'trainer')];
  return candidates.find((c) => existsSync(join(c, 'oel_trainer', '__main__.py')));
}

async function serve(values: Values): Promise<number> {
  const model = str(values, 'model');
  if (!model) return usageError(SUBS[0], '--model is required');
  const port = num(values, 'port');
  const k = num(values, 'k');
  for (const n of [port, k]) if (typeof n === 'string') return usageError(SUBS[0], n);
  const overrides: Partial<ServerConfigInput> = {
    model_dir: model, data_dir: str(values, 'data'), host: str(values, 'host'), port: port as number | undefined, k: k as number | undefined,
    python: str(values, 'python'), trainer_path: findTrainerPath(str(values, 'trainer-path')),
  };
  const cfg = loadConfig(overrides);
  const team = str(values, 'team');
  const srv = await startServer(cfg, { bootstrapTeam: team });
  const out = process.stdout;
  out.write(`data folder: ${cfg.data_dir}\n`);
  out.write(`signing public key (ed25519, key id ${srv.key.keyId}): ${srv.key.publicKeyBase64}\n`);
  if (srv.bootstrapAdminToken) {
    out.write(`bootstrap admin token (team '${team ?? 'default'}'; shown once): ${srv.bootstrapAdminToken}\n`);
    // Said where it is shown: what the token is for, and that it is the only copy.
    out.write(`  it signs in to the team dashboard at ${srv.url}/ and authorizes admin requests (Authorization: Bearer <token>);\n`);
    out.write(`  keep it: it is not stored in clear. More tokens and invites: oel server admin --help\n`);
  }
  // Last, so whoever waits for this line (scripts, tests) has seen everything above it.
  out.write(`oel server listening on ${srv.url}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolveStop(); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await srv.close();
  return 0;
}

const tokens = (values: Values) => new TokenFile(resolve(str(values, 'data') ?? './.oel-server'));

/** A request to a running server with an admin token; prints the JSON answer. */
async function http(values: Values, method: string, path: string, body?: unknown): Promise<number> {
  const url = str(values, 'url');
  const token = str(values, 'token') ?? process.env.OEL_ADMIN_TOKEN;
  if (!url || !token) { process.stderr.write('oel server admin: --url and --token (or OEL_ADMIN_TOKEN) are required\n'); return 2; }
  const res = await fetch(new URL(path, url), {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  process.stdout.write(`${JSON.stringify(await res.json(), null, 2)}\n`);
  return res.ok ? 0 : 1;
}

const id = (args: string[]) => encodeURIComponent(args[0] ?? '');

const SUBS: Sub[] = [
  {
    words: [], synopsis: 'oel server --model DIR [--data DIR] [--port N] [--host ADDR] [--k N] [--python PATH] [--trainer-path DIR] [--team NAME]',
    about: 'Starts a server (data folder default ./.oel-server; optional <data>/config.json, see docs/server.md).',
    options: ['model', 'data', 'port', 'host', 'k', 'python', 'trainer-path', 'team'], args: { min: 0, max: 0 }, run: serve,
  },
  {
    words: ['admin', 'token', 'create'], synopsis: 'oel server admin token create --team NAME [--role member|admin] [--member NAME] [--data DIR]',
    about: 'Creates a token for a team (role member by default) and prints it once. Works offline on the data folder.',
    options: ['team', 'role', 'member', 'data'], args: { min: 0, max: 0 },
    run: async (values) => {
      const role = str(values, 'role') ?? 'member';
      const team = str(values, 'team');
      if (!team || (role !== 'member' && role !== 'admin')) return usageError(SUBS[1], '--team and --role member|admin are required');
      const { token, record } = tokens(values).create(team, role, str(values, 'member'));
      process.stdout.write(`${JSON.stringify({ id: record.id, team, role, member: record.member, token })}\n`);
      return 0;
    },
  },
  {
    words: ['admin', 'invite'], synopsis: 'oel server admin invite --url URL --team NAME [--role member|admin] [--member NAME] [--data DIR]',
    about: 'Creates a token for a team and prints one invite string (oel-invite:...) with the server URL as members reach it, the token and '
      + 'the fingerprint of the signing key, for "Join Team Consolidation". It holds a secret: give it to one person. Works offline on the data folder.',
    options: ['url', 'team', 'role', 'member', 'data'], args: { min: 0, max: 0 },
    run: async (values) => {
      const sub = SUBS.find((s) => s.words[1] === 'invite');
      const role = str(values, 'role') ?? 'member';
      const team = str(values, 'team');
      const url = str(values, 'url');
      if (!url || !team || (role !== 'member' && role !== 'admin')) return usageError(sub, '--url, --team and --role member|admin are required');
      const data = resolve(str(values, 'data') ?? './.oel-server');
      // The fingerprint must be the key the running server signs with; a mistyped --data would otherwise mint a fresh key.
      if (!existsSync(join(data, 'keys', 'signing-ed25519.pem'))) {
        process.stderr.write(`oel server admin invite: no signing key in ${data}; start the server once with --data ${data} first
`);
        return 1;
      }
      const key = loadOrCreateSigningKey(data);
      let invite: string;
      try {
        // Validate the URL before a token is written, so a refused invite leaves no orphan token behind.
        formatInvite({ v: 1, url, token: 'oel_placeholder', key_id: key.keyId, team });
        invite = formatInvite({ v: 1, url, token: tokens(values).create(team, role, str(values, 'member')).token, key_id: key.keyId, team });
      } catch (e) {
        const msg = e instanceof Error && 'issues' in e ? (e as { issues: { path: unknown[]; message: string }[] }).issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ') : String(e);
        return usageError(sub, msg);
      }
      process.stdout.write(`${invite}\n`);
      return 0;
    },
  },
  {
    words: ['admin', 'token', 'revoke'], synopsis: 'oel server admin token revoke ID [--data DIR]',
    about: 'Revokes the active token with this id. Works offline on the data folder.', options: ['data'], args: { min: 1, max: 1 },
    run: async (values, [tokenId]) => {
      if (!tokens(values).revoke(tokenId)) { process.stderr.write(`oel server admin token revoke: no single active token with id ${tokenId}\n`); return 1; }
      process.stdout.write(`revoked ${tokenId}\n`);
      return 0;
    },
  },
  {
    words: ['admin', 'token', 'list'], synopsis: 'oel server admin token list [--data DIR]',
    about: 'Lists the tokens (never their secrets), one JSON object per line. Works offline on the data folder.', options: ['data'], args: { min: 0, max: 0 },
    run: async (values) => {
      for (const t of tokens(values).list()) process.stdout.write(`${JSON.stringify({ id: t.id, team: t.team, role: t.role, member: t.member, created_at: t.created_at, revoked_at: t.revoked_at })}\n`);
      return 0;
    },
  },
  { words: ['admin', 'knowledge', 'list'], synopsis: 'oel server admin knowledge list --url URL [--token T]', about: 'Lists the team\'s submitted knowledge.' + REMOTE_NOTE, options: REMOTE, args: { min: 0, max: 0 }, run: (v) => http(v, 'GET', '/v1/knowledge') },
  { words: ['admin', 'knowledge', 'approve'], synopsis: 'oel server admin knowledge approve ID --url URL [--token T]', about: 'Approves a submitted item for consolidation.' + REMOTE_NOTE, options: REMOTE, args: { min: 1, max: 1 }, run: (v, a) => http(v, 'POST', `/v1/knowledge/${id(a)}/decision`, { decision: 'approve' }) },
  { words: ['admin', 'knowledge', 'reject'], synopsis: 'oel server admin knowledge reject ID --url URL [--token T]', about: 'Rejects a submitted item.' + REMOTE_NOTE, options: REMOTE, args: { min: 1, max: 1 }, run: (v, a) => http(v, 'POST', `/v1/knowledge/${id(a)}/decision`, { decision: 'reject' }) },
  { words: ['admin', 'round', 'start'], synopsis: 'oel server admin round start --url URL [--token T]', about: 'Starts a consolidation round.' + REMOTE_NOTE, options: REMOTE, args: { min: 0, max: 0 }, run: (v) => http(v, 'POST', '/v1/consolidations', {}) },
  { words: ['admin', 'round', 'status'], synopsis: 'oel server admin round status [ID] --url URL [--token T]', about: 'Shows one round, or all of them.' + REMOTE_NOTE, options: REMOTE, args: { min: 0, max: 1 }, run: (v, a) => http(v, 'GET', a.length ? `/v1/consolidations/${id(a)}` : '/v1/consolidations') },
  { words: ['admin', 'round', 'cancel'], synopsis: 'oel server admin round cancel ID --url URL [--token T]', about: 'Cancels a round.' + REMOTE_NOTE, options: REMOTE, args: { min: 1, max: 1 }, run: (v, a) => http(v, 'POST', `/v1/consolidations/${id(a)}/cancel`) },
  { words: ['admin', 'adapter', 'list'], synopsis: 'oel server admin adapter list --url URL [--token T]', about: 'Lists the adapter versions.' + REMOTE_NOTE, options: REMOTE, args: { min: 0, max: 0 }, run: (v) => http(v, 'GET', '/v1/adapters') },
  {
    words: ['admin', 'adapter', 'rollback'], synopsis: 'oel server admin adapter rollback VERSION --url URL [--token T]', about: 'Makes an earlier adapter version current.' + REMOTE_NOTE,
    options: REMOTE, args: { min: 1, max: 1 },
    run: async (v, [version]) => (/^\d+$/.test(version) ? http(v, 'POST', '/v1/adapters/current', { version: Number(version) }) : usageError(SUBS.find((s) => s.words[2] === 'rollback'), `VERSION must be a whole number, not '${version}'`)),
  },
];

/** The usage lines of every subcommand under `prefix` (all of them for none). */
function usage(prefix: string[] = []): string {
  const under = SUBS.filter((s) => prefix.every((w, i) => s.words[i] === w));
  const subs = under.length ? under : SUBS;
  return `usage:\n${subs.map((s) => `  ${s.synopsis}\n`).join('')}\n'oel server <subcommand> --help' explains one.\n`;
}

function helpOf(sub: Sub): string {
  return `usage: ${sub.synopsis}\n\n${sub.about}\n`;
}

/** The subcommand named by the leading words, and the words after them. */
function findSub(positionals: string[]): { sub: Sub; args: string[] } | undefined {
  if (positionals[0] !== 'admin') return { sub: SUBS[0], args: positionals };
  const sub = SUBS.find((s) => s.words.length > 1 && s.words.every((w, i) => positionals[i] === w));
  return sub && { sub, args: positionals.slice(sub.words.length) };
}

/** Entry point for `oel server ...`; returns the exit status (2: bad usage, with the reason and usage on stderr). */
export async function runServerCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, ALL);
  // The words before the first option name the subcommand, as far as they go (for help and for parse errors).
  const words: string[] = [];
  for (const a of argv) { if (a.startsWith('-')) break; words.push(a); }
  const named = words.length ? findSub(words)?.sub : undefined;
  if (parsed.kind === 'help') {
    // Help for as much of the command as was named: `oel server admin token --help` lists the token subcommands.
    process.stdout.write(named?.words.length ? helpOf(named) : words.length === 0 ? `${helpOf(SUBS[0])}\n${usage()}` : usage(words.slice(0, 2)));
    return 0;
  }
  if (parsed.kind === 'error') return usageError(named?.words.length ? named : undefined, parsed.message);
  const found = findSub(parsed.positionals);
  if (!found) return usageError(undefined, `unknown command '${parsed.positionals.slice(0, 3).join(' ')}'`);
  const { sub, args } = found;
  const stray = Object.keys(parsed.values).filter((k) => !sub.options.includes(k));
  if (stray.length) return usageError(sub, `option${stray.length > 1 ? 's' : ''} ${stray.map((o) => `'--${o}'`).join(', ')} not used by this command`);
  if (args.length < sub.args.min) return usageError(sub, 'missing argument');
  if (args.length > sub.args.max) return usageError(sub, `unexpected '${args[sub.args.max]}'`);
  return sub.run(parsed.values, args);
}
