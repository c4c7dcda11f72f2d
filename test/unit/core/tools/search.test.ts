/** search_text runs off the calling thread with a time limit: a catastrophic regular expression cannot freeze the host. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempWorkspace } from '../helpers';
import { executeToolCall } from '../../../../src/core/tools/executor';
import { call, toolContext } from './support';

test('a catastrophic regular expression times out within the limit while the event loop keeps running', { timeout: 60_000 }, async () => {
  // (a+)+$ against a long run of "a" that does not end the line backtracks exponentially: effectively forever.
  const root = tempWorkspace({ 'src/ok.ts': 'const a = 1;\n', 'crafted.txt': `${'a'.repeat(40)}!\n` });
  const { ctx } = toolContext(root, { hostOptions: { searchTimeoutMs: 500 } });
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 10);
  const started = performance.now();
  try {
    const obs = await executeToolCall(ctx, call('search_text', { query: '^(a+)+$', regex: true }));
    const elapsed = performance.now() - started;
    assert.equal(obs.status, 'timeout', obs.output);
    assert.match(obs.output, /did not finish within 0\.5 s and was stopped.*simplify the pattern/s);
    assert.ok(elapsed < 3000, `answered after ${Math.round(elapsed)} ms`);
    // A blocked event loop would not have run the 10 ms timer at all during the search.
    assert.ok(ticks >= 20, `the timer fired ${ticks} times in ${Math.round(elapsed)} ms`);
  } finally {
    clearInterval(timer);
  }
  // The host still searches normally afterwards.
  assert.equal((await executeToolCall(ctx, call('search_text', { query: 'const a', glob: '**/*.ts' }))).output, 'src/ok.ts:1: const a = 1;');
  assert.equal((await executeToolCall(ctx, call('search_text', { query: 'a{3}!', regex: true }))).output, `crafted.txt:1: ${'a'.repeat(40)}!`);
});
