/** Commands the agent runs: a clean environment and bounded output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempWorkspace } from '../helpers';
import { commandEnvironment, isCommandEnvAllowed } from '../../../../src/core/tools/commandEnv';
import { HeadTailBuffer } from '../../../../src/core/tools/outputBuffer';
import { NodeToolHost, MAX_STREAMED_OUTPUT_CHARS } from '../../../../src/core/tools/nodeToolHost';

test('the environment allow-list keeps what shell commands need and drops the editor\'s own variables', () => {
  const env = commandEnvironment({
    PATH: '/usr/bin', HOME: '/home/u', LANG: 'de_DE.UTF-8', LC_ALL: 'C', https_proxy: 'http://proxy:3128', TMPDIR: '/tmp', SystemRoot: 'C:\\Windows',
    ELECTRON_RUN_AS_NODE: '1', VSCODE_IPC_HOOK: '/run/vscode.sock', VSCODE_GIT_IPC_HANDLE: '/run/git.sock', GIT_ASKPASS: '/vscode/askpass.sh',
    NODE_OPTIONS: '--require /tmp/evil.js', APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL: '1', OPENAI_API_KEY: 'sk-secret',
  });
  assert.deepEqual(Object.keys(env).sort(), ['GIT_TERMINAL_PROMPT', 'HOME', 'LANG', 'LC_ALL', 'PATH', 'SystemRoot', 'TERM', 'TMPDIR', 'https_proxy']);
  assert.equal(env.TERM, 'dumb');
  assert.equal(env.GIT_TERMINAL_PROMPT, '0');
  assert.equal(isCommandEnvAllowed('lc_messages'), true);
});

test('a command does not see ELECTRON_RUN_AS_NODE, VSCODE_* or NODE_OPTIONS from the extension host', async () => {
  const planted = { ELECTRON_RUN_AS_NODE: '1', VSCODE_IPC_HOOK: '/run/vscode.sock', NODE_OPTIONS: '--max-old-space-size=99', OEL_TEST_SECRET: 'sk-secret' };
  const saved = Object.fromEntries(Object.keys(planted).map((k) => [k, process.env[k]]));
  Object.assign(process.env, planted);
  try {
    const host = new NodeToolHost(tempWorkspace());
    const r = await host.runCommand('env', { cwd: host.root, timeoutMs: 10_000 });
    assert.equal(r.exitCode, 0, r.output);
    const names = r.output.split('\n').map((l) => l.split('=')[0]);
    for (const name of Object.keys(planted)) assert.ok(!names.includes(name), `${name} leaked into the command`);
    assert.ok(names.includes('PATH') && names.includes('HOME'), r.output);
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
});

test('a command printing without end keeps its head and tail, says what was cut, and streams a bounded amount', async () => {
  const host = new NodeToolHost(tempWorkspace());
  let streamed = '';
  // About 3 MB of output between two markers.
  const r = await host.runCommand('echo FIRST-LINE; yes 0123456789abcdef | head -n 200000; echo LAST-LINE', {
    cwd: host.root, timeoutMs: 30_000, onOutput: (c) => { streamed += c; },
  });
  assert.equal(r.exitCode, 0);
  assert.ok(r.output.length < 70_000, `kept ${r.output.length} characters`);
  assert.ok(r.output.startsWith('FIRST-LINE\n'));
  assert.ok(r.output.trimEnd().endsWith('LAST-LINE'));
  assert.match(r.output, /\[\.\.\. \d+ characters of output omitted: the command printed 3400021 characters/);
  assert.ok(streamed.length < MAX_STREAMED_OUTPUT_CHARS + 200, `streamed ${streamed.length} characters`);
  assert.match(streamed, /more output; the end of it is shown when the command finishes/);
});

test('HeadTailBuffer keeps the first and the last characters exactly, in any chunking', () => {
  const text = Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join('');
  for (const size of [1, 7, 100, 4096, text.length]) {
    const b = new HeadTailBuffer(1000, 2000);
    for (let i = 0; i < text.length; i += size) b.push(text.slice(i, i + size));
    assert.equal(b.receivedChars, text.length);
    assert.equal(b.omittedChars, text.length - 3000);
    const [head, rest] = b.text().split(/\n\[\.\.\. .* \.\.\.\]\n/);
    assert.equal(head, text.slice(0, 1000), `chunk ${size}`);
    assert.equal(rest, text.slice(-2000), `chunk ${size}`);
  }
  const small = new HeadTailBuffer(10, 10);
  small.push('short');
  assert.equal(small.text(), 'short');
});
