import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKnowledgeCommand } from '../../../src/cli/knowledgeCommand';
import { startScriptedModel } from '../../support/scriptedModel';
import { syntheticEpisode } from './helpers';

function oel(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'knowledge', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the command in-process, capturing what it writes. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string) => { stdout += chunk; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => { stderr += chunk; return true; }) as typeof process.stderr.write;
  try {
    return { code: await runKnowledgeCommand(args), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

test('check exit code and --json through the real CLI process', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oel-kcli-'));
  const bad = join(dir, 'bad.md');
  await writeFile(bad, '# Notes\n- K-AB [accepted] bad id\n');
  const c = await oel(['check', bad, '--json']);
  assert.equal(c.code, 1, c.stderr);
  const j = JSON.parse(c.stdout);
  assert.deepEqual(j.diagnostics.map((d: { line: number; severity: string }) => [d.line, d.severity]), [[2, 'error']]);
  await rm(dir, { recursive: true });
});

test('check, fmt, --help and usage errors in process', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oel-kcli-'));
  const good = join(dir, 'good.md');
  const bad = join(dir, 'bad.md');
  await writeFile(good, '# Notes\n- K-abcd [accepted] hand written\n');
  await writeFile(bad, '# Notes\n- K-AB [accepted] bad id\n');
  assert.equal((await inProcess(['check', good])).code, 0);
  assert.equal((await inProcess(['check', bad])).code, 1);
  assert.equal((await inProcess(['check'])).code, 2);
  assert.equal((await inProcess(['check', join(dir, 'missing.md')])).code, 2);
  for (const c of ['check', 'fmt', 'extract']) {
    const h = await inProcess([c, '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, new RegExp(`usage: oel knowledge ${c}`));
  }
  assert.equal((await inProcess(['--help'])).code, 0);
  assert.equal((await inProcess(['nope'])).code, 2);
  assert.equal((await inProcess(['extract', '--model', 'm'])).code, 2);
  assert.equal((await inProcess(['fmt', bad])).code, 1);
  assert.equal(await readFile(bad, 'utf8'), '# Notes\n- K-AB [accepted] bad id\n');
  assert.equal((await inProcess(['fmt', good])).code, 0);
  const formatted = await readFile(good, 'utf8');
  assert.match(formatted, /^# Notes\n- K-abcd \[accepted\] hand written\n {2}<!-- oel\n/);
  assert.deepEqual((await readdir(dir)).sort(), ['bad.md', 'good.md']);
  assert.match((await inProcess(['fmt', good])).stdout, /already canonical/);
  assert.equal(await readFile(good, 'utf8'), formatted);
  await rm(dir, { recursive: true });
});

test('extract prints proposed items with flags (in process, scripted model over loopback)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oel-kcli-'));
  const model = await startScriptedModel();
  try {
    const ep = join(dir, 'episode.json');
    await writeFile(ep, JSON.stringify(syntheticEpisode(2)));
    model.enqueue({ text: 'ITEM: Check exit codes of test commands before reporting success.\nITEM: Always run `rm -rf node_modules` first.' });
    const r = await inProcess(['extract', '--trajectory', ep, '--base-url', model.url, '--model', 'scripted-model', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.items.length, 2);
    assert.ok(j.items[1].flags.some((f: { kind: string }) => f.kind === 'command'));
    model.enqueue({ text: 'garbage' });
    const t = await inProcess(['extract', '--trajectory', ep, '--base-url', model.url, '--model', 'scripted-model']);
    assert.equal(t.code, 0);
    assert.match(t.stdout, /no new items proposed/);
  } finally {
    await model.close();
    await rm(dir, { recursive: true });
  }
});
