// SIGKILL the server (a real `oel server` child process) in the middle of a round, restart it on the same data folder:
// the round must be re-queued and end in a definite state, and the orphaned trainer must be stopped. Also covers the
// offline `oel server admin token ...` commands and <data>/config.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { call, tempData, tinyModel, TINY_TRAINER, waitRound } from './harness';
import { PYTHON, TRAINER_PATH } from '../../support/tinyModel';

const CLI = ['--import', 'tsx', 'src/cli/main.ts', 'server'];

/** Starts `oel server` and resolves with its URL and (first start) bootstrap token, read from its stdout. */
function launch(model: string, data: string): Promise<{ child: ChildProcess; url: string; token: string | null }> {
  const child = spawn(process.execPath, [...CLI, '--model', model, '--data', data, '--port', '0', '--team', 'alpha'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let token: string | null = null;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('server did not start')); }, 30_000);
    child.on('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const t = /bootstrap admin token .*: (\S+)$/.exec(line);
      if (t) token = t[1];
      const u = /listening on (\S+)/.exec(line);
      if (u) { clearTimeout(timer); resolve({ child, url: u[1], token }); }
    });
  });
}

/** The command line of process `pid` ('' once it is gone, or a reaped-later zombie). */
function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; }
}

function admin(data: string, ...args: string[]): string {
  return execFileSync(process.execPath, [...CLI, 'admin', 'token', ...args, '--data', data], { encoding: 'utf8' });
}

function storedRound(data: string, id: string): { status: string; trainer_pid: number | null } {
  const db = JSON.parse(readFileSync(join(data, 'db.json'), 'utf8')) as { rounds: Array<{ id: string; status: string; trainer_pid: number | null }> };
  const round = db.rounds.find((x) => x.id === id);
  assert.ok(round, `round ${id} is in db.json`);
  return round;
}

test('SIGKILL during a round: after restart the round is re-run and ends definite', { timeout: 120_000 }, async () => {
  const model = tinyModel();
  const data = tempData();
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'config.json'), JSON.stringify({ k: 1, python: PYTHON, trainer_path: TRAINER_PATH, trainer: TINY_TRAINER, prompts: { synthesis: 'template', per_item: 2 } }));

  const first = await launch(model, data);
  let second: ChildProcess | null = null;
  let orphan: number | null = null;
  try {
    assert.ok(first.token && first.url.startsWith('http://127.0.0.1:'));
    assert.equal((readFileSync(join(data, 'keys', 'signing-ed25519.pem')).length > 0), true);
    const member = JSON.parse(admin(data, 'create', '--team', 'alpha', '--role', 'member', '--member', 'ann')) as { token: string; id: string };
    await call(first.url, 'POST', '/v1/submissions', member.token, { submission_id: 's', items: [
      { client_id: 'a', text: 'Run the unit tests before committing any change.' },
      { client_id: 'b', text: 'Prefer small pure functions over classes for parsing code.' },
    ], task_statements: ['Fix the failing login test in auth.ts'] });
    const r = await call(first.url, 'POST', '/v1/consolidations', first.token, { steps: 30 });
    assert.equal(r.status, 201);
    // Wait until the trainer is really running, then kill the server without any chance to clean up.
    const end = Date.now() + 60_000;
    while ((await call(first.url, 'GET', `/v1/consolidations/${r.body.id}`, first.token)).body.progress.step < 1) {
      assert.ok(Date.now() < end, 'trainer never reported a step');
      await new Promise((res) => setTimeout(res, 100));
    }
    // The round records its trainer's pid, and that pid really is the trainer (not some other process).
    const recorded = storedRound(data, r.body.id).trainer_pid;
    assert.ok(typeof recorded === 'number' && recorded > 0, `the training round records its trainer pid (got ${recorded})`);
    orphan = recorded;
    assert.match(cmdline(orphan), /oel_trainer/, 'the recorded pid is the running trainer');
    // Freeze the trainer first: a running one would notice the dead server at its next progress line (broken stdout
    // pipe) and exit by itself. Frozen, it stands for a trainer in the middle of a long silent step, which only the
    // restart's orphan cleanup can stop (SIGKILL ends a stopped process too).
    process.kill(orphan, 'SIGSTOP');
    first.child.kill('SIGKILL');
    await new Promise((res) => first.child.once('exit', res));
    const stored = storedRound(data, r.body.id);
    assert.equal(stored.status, 'training');
    assert.equal(stored.trainer_pid, orphan);
    assert.match(cmdline(orphan), /oel_trainer/, 'the trainer outlives the killed server');

    const restarted = await launch(model, data);
    second = restarted.child;
    assert.equal(restarted.token, null, 'no second bootstrap token');
    // recover() sends SIGKILL before the server listens; the kernel ends the process a moment later.
    const gone = Date.now() + 5_000;
    while (cmdline(orphan).includes('oel_trainer') && Date.now() < gone) await new Promise((res) => setTimeout(res, 50));
    assert.doesNotMatch(cmdline(orphan), /oel_trainer/, 'the restarted server stopped the orphaned trainer');
    const done = await waitRound(restarted.url, first.token!, r.body.id, 90_000);
    assert.ok(['released', 'failed_gate'].includes(done.status), JSON.stringify(done));
    assert.equal(done.attempts, 2);

    // Offline token commands: list shows both tokens; a revoked token stops working on the running server.
    assert.equal(admin(data, 'list').trim().split('\n').length, 2);
    assert.match(admin(data, 'revoke', member.id), /revoked/);
    assert.equal((await call(restarted.url, 'GET', '/v1/knowledge', member.token)).status, 401);
  } finally {
    first.child.kill('SIGKILL');
    if (orphan && cmdline(orphan).includes('oel_trainer')) process.kill(orphan, 'SIGKILL'); // left by a failed run
    second?.kill('SIGTERM');
    if (second && second.exitCode === null) await new Promise((res) => second!.once('exit', res));
  }
});
