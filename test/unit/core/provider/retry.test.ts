import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptedModel } from '../../../support/scriptedModel';
import { tempWorkspace } from '../helpers';
import { AgentSession } from '../../../../src/core/agent/session';
import type { AgentEvent } from '../../../../src/core/agent/events';
import { NodeToolHost } from '../../../../src/core/tools/nodeToolHost';
import { ProviderError, retryAfterMs } from '../../../../src/core/provider/provider';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '../../../../src/core/provider/retry';
import type { Step } from '../../../../src/core/trajectory/episode';

const model = await startScriptedModel();
after(() => model.close());

/** Short waits so the suite stays fast; Retry-After tests below use the provider's own, longer, waits. */
const FAST: RetryPolicy = { retries: 3, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000 };

function session(policy: RetryPolicy = FAST) {
  const events: AgentEvent[] = [];
  const steps: Step[] = [];
  const s = new AgentSession({
    provider: { baseUrl: model.url, model: 'scripted-model' }, host: new NodeToolHost(tempWorkspace()),
    approver: { approve: async () => ({ decision: 'approved' }) }, trusted: true, retryPolicy: policy,
    onEvent: (e) => events.push(e),
    recorder: { begin() {}, step: (st: Step) => steps.push(st), end() {}, reopen() {}, feedback() {}, flush: async () => {} } as never,
  });
  return { s, events, steps };
}

const retries = (events: AgentEvent[]) => events.filter((e) => e.type === 'provider_retry');

test('a 429 with Retry-After is retried after the wait the provider asked for, and the task completes', async () => {
  model.reset();
  model.enqueue({ error: { status: 429, message: 'slow down', headers: { 'retry-after': '1' } } }, { text: 'done' });
  const { s, events, steps } = session();
  const t0 = performance.now();
  const outcome = await s.start('hi');
  const elapsed = performance.now() - t0;
  assert.equal(outcome.reason, 'completed');
  assert.equal(outcome.finalText, 'done');
  assert.equal(model.requests.length, 2);
  assert.ok(elapsed >= 1000, `retried after ${elapsed} ms, before the 1 s Retry-After`);
  assert.equal(retries(events).length, 1);
  // The trajectory says what happened; the user sees the reason and the wait.
  const err = steps.find((st) => st.kind === 'error') as Extract<Step, { kind: 'error' }>;
  assert.match(err.message, /429.*slow down.*Retrying in 1 s \(retry 1 of 3\)/);
});

test('retry-after-ms is honoured too', async () => {
  model.reset();
  model.enqueue({ error: { status: 503, message: 'busy', headers: { 'retry-after-ms': '400' } } }, { text: 'ok' });
  const { s } = session();
  const t0 = performance.now();
  assert.equal((await s.start('hi')).reason, 'completed');
  assert.ok(performance.now() - t0 >= 400);
});

test('5xx answers and a reset connection are retried with backoff until one succeeds', async () => {
  model.reset();
  model.enqueue({ error: { status: 500, message: 'boom' } }, { resetConnection: true }, { error: { status: 502, message: 'bad gateway' } }, { text: 'finally' });
  const { s, events } = session();
  const outcome = await s.start('hi');
  assert.equal(outcome.reason, 'completed', outcome.message);
  assert.equal(outcome.finalText, 'finally');
  assert.equal(model.requests.length, 4);
  assert.deepEqual(retries(events).map((e) => (e as { attempt: number }).attempt), [1, 2, 3]);
});

test('when retries run out the task ends with the last error', async () => {
  model.reset();
  for (let i = 0; i < 4; i++) model.enqueue({ error: { status: 500, message: `boom ${i}` } });
  const { s } = session();
  const outcome = await s.start('hi');
  assert.equal(outcome.reason, 'error');
  assert.match(outcome.message, /500: boom 3/);
  assert.equal(model.requests.length, 4, 'one attempt and three retries');
});

test('errors that will not pass are not retried: 400, 401, and a stream that broke after output was shown', async () => {
  for (const r of [{ error: { status: 400, message: 'bad request' } }, { error: { status: 401, message: 'bad key' } }, { text: 'abcd', chunkSize: 1, chunkDelayMs: 30, breakAfterChunks: 3 }]) {
    model.reset();
    model.enqueue(r, { text: 'must not be asked for' });
    const { s, events } = session();
    const outcome = await s.start('hi');
    assert.equal(outcome.reason, 'error', JSON.stringify(r));
    assert.equal(model.requests.length, 1, `retried ${JSON.stringify(r)}`);
    assert.equal(retries(events).length, 0);
  }
});

test('a Retry-After longer than the policy allows ends the task at once, saying how long the provider asks to wait', async () => {
  model.reset();
  model.enqueue({ error: { status: 429, message: 'quota', headers: { 'retry-after': '120' } } }, { text: 'must not be asked for' });
  const { s } = session();
  const t0 = performance.now();
  const outcome = await s.start('hi');
  assert.equal(outcome.reason, 'error');
  assert.match(outcome.message, /asks to wait 120 s/);
  assert.equal(model.requests.length, 1);
  assert.ok(performance.now() - t0 < 2000);
});

test('Stop during a backoff wait ends the task as stopped without another request', async () => {
  model.reset();
  model.enqueue({ error: { status: 503, message: 'busy', headers: { 'retry-after': '5' } } }, { text: 'must not be asked for' });
  const { s, events } = session();
  const run = s.start('hi');
  while (!retries(events).length) await new Promise((r) => setTimeout(r, 10));
  const t0 = performance.now();
  s.stop();
  const outcome = await run;
  assert.equal(outcome.reason, 'stopped');
  assert.ok(performance.now() - t0 < 1000, 'Stop must not wait for the backoff to finish');
  assert.equal(model.requests.length, 1);
});

test('backoff doubles per retry within its cap, with bounded jitter', () => {
  const e = new ProviderError('http', 'x', 500, { retryable: true });
  const p = DEFAULT_RETRY_POLICY;
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(e, n, p, () => 0)), [1000, 2000, 4000, 8000, 16000, 16000]);
  assert.equal(retryDelayMs(e, 1, p, () => 1), 1250);
  const asked = new ProviderError('http', 'x', 429, { retryable: true, retryAfterMs: 30_000 });
  assert.equal(retryDelayMs(asked, 1, p), 30_000);
  assert.equal(retryDelayMs(new ProviderError('http', 'x', 429, { retryable: true, retryAfterMs: 61_000 }), 1, p), undefined);
});

test('Retry-After is read as seconds, as an HTTP date, or as retry-after-ms', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  const now = Date.parse('2026-12-03T10:00:00Z');
  assert.equal(retryAfterMs(h({ 'retry-after': '7' }), now), 7000);
  assert.equal(retryAfterMs(h({ 'retry-after': 'Thu, 03 Dec 2026 10:00:30 GMT' }), now), 30_000);
  assert.equal(retryAfterMs(h({ 'retry-after-ms': '250', 'retry-after': '9' }), now), 250);
  assert.equal(retryAfterMs(h({ 'retry-after': 'soon' }), now), undefined);
  assert.equal(retryAfterMs(h({}), now), undefined);
});
