import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startScriptedModel } from '../../../support/scriptedModel';
import { createClient, streamChat, type ProviderConfig, type ProviderError } from '../../../../src/core/provider/provider';
import { testConnection } from '../../../../src/core/provider/testConnection';
import { fixActions } from '../../../../src/extension/fixActions';

const model = await startScriptedModel();
const keyed = await startScriptedModel({ apiKey: 'sk-right' });
// A server that accepts connections and never answers: a provider still loading its model.
const silent: Server = createServer(() => {});
await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
const silentPort = (silent.address() as AddressInfo).port;
after(async () => {
  silent.closeAllConnections();
  await new Promise((r) => silent.close(r));
  await Promise.all([model.close(), keyed.close()]);
});

/** A loopback port nobody listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function failure(config: ProviderConfig): Promise<ProviderError> {
  try {
    await streamChat(createClient(config), config, { messages: [{ role: 'user', content: 'x' }] });
  } catch (e) {
    return e as ProviderError;
  }
  throw new Error('the request did not fail');
}

test('connection refused names the URL and the cause, and points at the URL setting, not the key', async () => {
  const url = `http://127.0.0.1:${await closedPort()}/v1`;
  const e = await failure({ baseUrl: url, model: 'm' });
  assert.equal(e.kind, 'unreachable');
  assert.equal(e.network, 'refused');
  assert.match(e.message, new RegExp(`Nothing is listening at ${url.replace(/[.]/g, '\\.')} \\(connection refused\\)`));
  assert.doesNotMatch(e.message, /mid-stream|mid-answer/);
  assert.deepEqual(e.fixes, ['baseUrl', 'retry']);
  assert.ok(!fixActions(e.fixes).some((a) => a.label === 'Set API Key'));
});

test('an unknown host is a DNS failure naming the host', async () => {
  const e = await failure({ baseUrl: 'http://no-such-host.invalid/v1', model: 'm', timeoutMs: 10_000 });
  assert.equal(e.network, 'dns');
  assert.match(e.message, /host "no-such-host\.invalid" .*cannot be found \(DNS lookup failed\)/);
  assert.deepEqual(e.fixes, ['baseUrl']);
});

test('a server that never answers is a timeout, with the limit and what to do', async () => {
  const url = `http://127.0.0.1:${silentPort}/v1`;
  const e = await failure({ baseUrl: url, model: 'm', timeoutMs: 1000 });
  assert.equal(e.kind, 'unreachable');
  assert.equal(e.network, 'timeout');
  assert.match(e.message, /did not answer within 1 s \(timeout\).*requestTimeoutSeconds/);
  assert.equal(e.fixes[0], 'retry');
});

test('https to a plain-http server is a TLS failure that suggests the scheme', async () => {
  const e = await failure({ baseUrl: model.url.replace('http://', 'https://'), model: 'm', timeoutMs: 5000 });
  assert.equal(e.network, 'tls');
  assert.match(e.message, /secure connection to https:\/\/127\.0\.0\.1:\d+\/v1 failed \(TLS.*http:\/\/ versus https:\/\//);
});

test('a connection reset before the answer is retryable; a rejected key and an unknown model point at their fix', async () => {
  model.enqueue({ resetConnection: true });
  const reset = await failure({ baseUrl: model.url, model: 'scripted-model' });
  assert.equal(reset.network, 'reset');
  assert.equal(reset.retryable, true);
  const auth = await failure({ baseUrl: keyed.url, model: 'scripted-model', apiKey: 'sk-wrong' });
  assert.equal(auth.kind, 'auth');
  assert.match(auth.message, /rejected the API key \(401\)/);
  assert.deepEqual(fixActions(auth.fixes).map((a) => a.label), ['Set API Key', 'Open Settings']);
  const unknown = await failure({ baseUrl: model.url, model: 'nope' });
  assert.equal(unknown.kind, 'not_found');
  assert.match(unknown.message, /does not know the model "nope" \(404\)/);
  assert.deepEqual(fixActions(unknown.fixes).map((a) => a.label), ['Open Settings']);
});

test('Test Connection says the same, with the fixes its buttons offer', async () => {
  const url = `http://127.0.0.1:${await closedPort()}/v1`;
  const r = await testConnection({ baseUrl: url, model: 'm', timeoutMs: 2000 });
  assert.equal(r.status, 'unreachable');
  assert.match(r.message, /connection refused/);
  assert.deepEqual(fixActions(r.fixes, 'oel.testConnection').map((a) => a.label), ['Open Settings', 'Try Again']);
  const bad = await testConnection({ baseUrl: keyed.url, model: 'scripted-model', apiKey: 'bad' });
  assert.deepEqual(fixActions(bad.fixes, 'oel.testConnection').map((a) => a.label), ['Set API Key', 'Open Settings']);
});

test('fix actions: each command once, in order; retry only where there is something to retry', () => {
  assert.deepEqual(fixActions(['baseUrl', 'model', 'log']), [{ label: 'Open Settings', command: 'oel.openSettings' }, { label: 'Show Log', command: 'oel.showLog' }]);
  assert.deepEqual(fixActions(['retry']), []);
  assert.deepEqual(fixActions(['retry'], 'oel.retryTask'), [{ label: 'Try Again', command: 'oel.retryTask' }]);
});
