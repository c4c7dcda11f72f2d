/**
 * `oel server` argument parsing: strict (an unknown or misplaced option is an error, with the subcommand's usage), an
 * option missing its value never takes the next word, and `--help` works on every subcommand. Run in process; the
 * commands tested here stop before any server starts or any token is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServerCommand } from '../../../src/cli/serverCommand';
import { captureOutput } from '../../support/captureOutput';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return captureOutput(() => runServerCommand(args));
}

test('an option missing its value does not swallow the next word', async () => {
  const data = join(mkdtempSync(join(tmpdir(), 'oel-cli-')), 'data');
  // Read loosely, this made a token for a team named '--role' (and 'admin' a stray word).
  const r = await run(['admin', 'token', 'create', '--team', '--role', 'admin', '--data', data]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^oel server admin token create: Option '--team' argument is ambiguous/);
  assert.match(r.stderr, /usage: oel server admin token create --team NAME/);
  assert.equal(existsSync(join(data, 'tokens.json')), false, 'no token was created');
  const m = await run(['--model', '--port', '0']);
  assert.equal(m.code, 2);
  assert.match(m.stderr, /Option '--model' argument is ambiguous/);
  const end = await run(['admin', 'token', 'list', '--data']);
  assert.equal(end.code, 2);
  assert.match(end.stderr, /Option '--data <value>' argument missing/);
  rmSync(join(data, '..'), { recursive: true, force: true });
});

test('unknown options, options another subcommand takes, and stray words are errors with the usage', async () => {
  const cases: [string[], RegExp][] = [
    [['--model', 'm', '--verbose'], /^oel server: Unknown option '--verbose'/],
    [['admin', 'token', 'list', '--url', 'http://127.0.0.1:1'], /^oel server admin token list: option '--url' not used by this command\nusage: oel server admin token list/],
    [['admin', 'round', 'status', '1', '2', '--url', 'http://127.0.0.1:1'], /^oel server admin round status: unexpected '2'/],
    [['admin', 'token', 'revoke'], /^oel server admin token revoke: missing argument/],
    [['admin', 'tokens', 'list'], /^oel server: unknown command 'admin tokens list'/],
    [['--model', 'm', '--port', 'eighty'], /--port must be a number, not 'eighty'/],
    [['admin', 'adapter', 'rollback', 'latest', '--url', 'http://127.0.0.1:1', '--token', 't'], /VERSION must be a whole number, not 'latest'/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
});

test('--help on every subcommand explains that subcommand', async () => {
  const subs = [
    [[], /^usage: oel server --model DIR/],
    [['admin'], /^usage:\n {2}oel server admin token create/],
    [['admin', 'token'], /^usage:\n {2}oel server admin token create[^\n]*\n {2}oel server admin token revoke[^\n]*\n {2}oel server admin token list[^\n]*\n\n/],
    [['admin', 'token', 'create'], /^usage: oel server admin token create --team NAME/],
    [['admin', 'token', 'revoke'], /^usage: oel server admin token revoke ID/],
    [['admin', 'token', 'list'], /^usage: oel server admin token list/],
    [['admin', 'knowledge', 'list'], /^usage: oel server admin knowledge list --url URL/],
    [['admin', 'knowledge', 'approve'], /^usage: oel server admin knowledge approve ID/],
    [['admin', 'knowledge', 'reject'], /^usage: oel server admin knowledge reject ID/],
    [['admin', 'round', 'start'], /^usage: oel server admin round start/],
    [['admin', 'round', 'status'], /^usage: oel server admin round status \[ID\]/],
    [['admin', 'round', 'cancel'], /^usage: oel server admin round cancel ID/],
    [['admin', 'adapter', 'list'], /^usage: oel server admin adapter list/],
    [['admin', 'adapter', 'rollback'], /^usage: oel server admin adapter rollback VERSION/],
  ] as const;
  for (const [words, re] of subs) {
    for (const h of ['--help', '-h']) {
      const r = await run([...words, h]);
      assert.equal(r.code, 0, `${words.join(' ')} ${h}`);
      assert.match(r.stdout, re, `${words.join(' ')} ${h}`);
    }
  }
  // Asking for help wins over a line that is otherwise wrong.
  assert.equal((await run(['admin', 'token', 'create', '--bogus', '--help'])).code, 0);
});

test('admin invite prints one invite with the URL, a working member token and the key id of the data folder\'s key', async () => {
  const { loadOrCreateSigningKey } = await import('../../../src/server/keys');
  const { TokenFile } = await import('../../../src/server/tokens');
  const { parseInvite } = await import('../../../src/core/protocol/invite');
  const data = join(mkdtempSync(join(tmpdir(), 'oel-cli-')), 'data');
  // No key yet: a mistyped --data must not mint a fresh key whose fingerprint matches no running server.
  const none = await run(['admin', 'invite', '--url', 'http://127.0.0.1:8080', '--team', 'alpha', '--data', data]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no signing key in .*start the server once/);
  const key = loadOrCreateSigningKey(data);
  const bad = await run(['admin', 'invite', '--url', 'ftp://x', '--team', 'alpha', '--data', data]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /url must start with http/);
  assert.equal(new TokenFile(data).list().length, 0, 'a refused invite leaves no token behind');
  const r = await run(['admin', 'invite', '--url', 'http://127.0.0.1:8080/', '--team', 'alpha', '--member', 'ann', '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const inv = parseInvite(lines[0]);
  assert.ok(inv.ok);
  if (!inv.ok) return;
  assert.equal(inv.invite.url, 'http://127.0.0.1:8080');
  assert.equal(inv.invite.key_id, key.keyId);
  assert.deepEqual(new TokenFile(data).authenticate(inv.invite.token), { tokenId: new TokenFile(data).list()[0].id, team: 'alpha', role: 'member', member: 'ann' });
  const help = await run(['admin', 'invite', '--help']);
  assert.match(help.stdout, /usage: oel server admin invite --url URL --team NAME/);
  rmSync(join(data, '..'), { recursive: true, force: true });
});
