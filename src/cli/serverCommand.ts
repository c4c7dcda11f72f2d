/**
 * `oel server ...`: run a consolidation server, or administer one. Token commands work offline on the data folder
 * (whoever can read the folder owns the server anyway); knowledge and round commands go over HTTP with an admin token,
 * so they act as the server would and respect its team boundaries.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, type ServerConfigInput } from '../server/config';
import { startServer } from '../server/app';
import { TokenFile } from '../server/tokens';

const usage = `usage:
  oel server --model DIR [--data DIR] [--port N] [--host ADDR] [--k N] [--python PATH] [--trainer-path DIR] [--team NAME]
      start a server (data folder default ./.oel-server; optional <data>/config.json, see docs/server.md)
  oel server admin token create --team NAME --role member|admin [--member NAME] [--data DIR]
  oel server admin token revoke ID [--data DIR]
  oel server admin token list [--data DIR]
  oel server admin knowledge list|approve ID|reject ID --url URL [--token T]    (token also from OEL_ADMIN_TOKEN)
  oel server admin round start|status ID|cancel ID --url URL [--token T]
  oel server admin adapter list|rollback VERSION --url URL [--token T]
`;

interface Parsed { positional: string[]; flags: Map<string, string> }

function parseArgs(args: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h' || a === '--help') flags.set('help', '1');
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else { flags.set(a.slice(2), args[i + 1] ?? ''); i++; }
    } else positional.push(a);
  }
  return { positional, flags };
}

function num(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number`);
  return n;
}

/** Where the trainer package is: an explicit flag, ./trainer, or next to this program (repo checkout or dist/). */
function findTrainerPath(explicit: string | undefined): string | undefined {
  if (explicit) return resolve(explicit);
  const script = process.argv[1] ? dirname(resolve(process.argv[1])) : process.cwd();
  const candidates = [resolve('trainer'), join(script, '..', 'trainer'), join(script, '..', '..', 'trainer')];
  return candidates.find((c) => existsSync(join(c, 'oel_trainer', '__main__.py')));
}

/** Entry point for `oel server ...`; returns the exit status. */
export async function runServerCommand(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args);
  if (flags.has('help')) { process.stdout.write(usage); return 0; }
  if (positional[0] === 'admin') return runAdmin(positional.slice(1), flags);
  if (positional.length) { process.stderr.write(`oel server: unexpected '${positional[0]}'\n${usage}`); return 2; }
  const model = flags.get('model');
  if (!model) { process.stderr.write(`oel server: --model is required\n${usage}`); return 2; }
  const overrides: Partial<ServerConfigInput> = {
    model_dir: model, data_dir: flags.get('data'), host: flags.get('host'), port: num(flags, 'port'), k: num(flags, 'k'),
    python: flags.get('python'), trainer_path: findTrainerPath(flags.get('trainer-path')),
  };
  const cfg = loadConfig(overrides);
  const srv = await startServer(cfg, { bootstrapTeam: flags.get('team') });
  const out = process.stdout;
  out.write(`data folder: ${cfg.data_dir}\n`);
  out.write(`signing public key (ed25519, key id ${srv.key.keyId}): ${srv.key.publicKeyBase64}\n`);
  if (srv.bootstrapAdminToken) out.write(`bootstrap admin token (team '${flags.get('team') ?? 'default'}'; shown once): ${srv.bootstrapAdminToken}\n`);
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

async function runAdmin(pos: string[], flags: Map<string, string>): Promise<number> {
  const [area, verb, arg] = pos;
  if (area === 'token') {
    const tokens = new TokenFile(resolve(flags.get('data') ?? './.oel-server'));
    if (verb === 'create') {
      const role = flags.get('role') ?? 'member';
      const team = flags.get('team');
      if (!team || (role !== 'member' && role !== 'admin')) { process.stderr.write('oel server admin token create: --team and --role member|admin are required\n'); return 2; }
      const { token, record } = tokens.create(team, role, flags.get('member'));
      process.stdout.write(`${JSON.stringify({ id: record.id, team, role, member: record.member, token })}\n`);
      return 0;
    }
    if (verb === 'revoke' && arg) {
      if (!tokens.revoke(arg)) { process.stderr.write(`oel server admin token revoke: no single active token with id ${arg}\n`); return 1; }
      process.stdout.write(`revoked ${arg}\n`);
      return 0;
    }
    if (verb === 'list') {
      for (const t of tokens.list()) process.stdout.write(`${JSON.stringify({ id: t.id, team: t.team, role: t.role, member: t.member, created_at: t.created_at, revoked_at: t.revoked_at })}\n`);
      return 0;
    }
  }
  const url = flags.get('url');
  const token = flags.get('token') ?? process.env.OEL_ADMIN_TOKEN;
  const http = async (method: string, path: string, body?: unknown): Promise<number> => {
    if (!url || !token) { process.stderr.write('oel server admin: --url and --token (or OEL_ADMIN_TOKEN) are required\n'); return 2; }
    const res = await fetch(new URL(path, url), {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    process.stdout.write(`${JSON.stringify(await res.json(), null, 2)}\n`);
    return res.ok ? 0 : 1;
  };
  const id = encodeURIComponent(arg ?? '');
  if (area === 'knowledge' && verb === 'list') return http('GET', '/v1/knowledge');
  if (area === 'knowledge' && (verb === 'approve' || verb === 'reject') && arg) return http('POST', `/v1/knowledge/${id}/decision`, { decision: verb });
  if (area === 'round' && verb === 'start') return http('POST', '/v1/consolidations', {});
  if (area === 'round' && verb === 'status') return http('GET', arg ? `/v1/consolidations/${id}` : '/v1/consolidations');
  if (area === 'round' && verb === 'cancel' && arg) return http('POST', `/v1/consolidations/${id}/cancel`);
  if (area === 'adapter' && verb === 'list') return http('GET', '/v1/adapters');
  if (area === 'adapter' && verb === 'rollback' && arg) return http('POST', '/v1/adapters/current', { version: Number(arg) });
  process.stderr.write(`oel server admin: unknown command\n${usage}`);
  return 2;
}
