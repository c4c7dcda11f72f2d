import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMBEDDED_PROVIDER_URL, embeddedModelProblem, extractionBatchKey, extractionRuntimeOf } from '../../../src/core/knowledge/extractionRuntime';

const embedded = (model: string) => ({ provider: { baseUrl: EMBEDDED_PROVIDER_URL, model } });
const http = (baseUrl: string, model = 'm') => ({ provider: { baseUrl, model } });

test('an episode is learned by the runtime that ran it: the embedded one by its model file, never over HTTP', () => {
  assert.deepEqual(extractionRuntimeOf(embedded('base.gguf')), { kind: 'embedded', model: 'base.gguf' });
  assert.deepEqual(extractionRuntimeOf(http('http://127.0.0.1:11434/v1')), { kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1' });
});

test('batches never mix embedded and OpenAI-compatible episodes, nor two local model files', () => {
  const keys = [embedded('a.gguf'), embedded('b.gguf'), http('http://h/v1'), http('http://other/v1')].map(extractionBatchKey);
  assert.equal(new Set(keys).size, 4);
  // A server whose URL spells the embedded model's name is still a server.
  assert.notEqual(extractionBatchKey(http('a.gguf')), extractionBatchKey(embedded('a.gguf')));
  assert.equal(extractionBatchKey(embedded('a.gguf')), extractionBatchKey(embedded('a.gguf')));
  assert.equal(extractionBatchKey(http('http://h/v1', 'x')), extractionBatchKey(http('http://h/v1', 'y')), 'one endpoint, one batch, whatever its models');
});

test('an embedded episode whose model is no longer the configured file gets a message naming both, not a crash', () => {
  const exists = (p: string) => p === '/models/base.gguf';
  assert.equal(embeddedModelProblem('base.gguf', '/models/base.gguf', exists), null);
  assert.equal(embeddedModelProblem('base.gguf', 'C:\\models\\base.gguf', () => true), null, 'Windows paths name the file the same way');
  assert.match(embeddedModelProblem('base.gguf', '', exists)!, /no model file is set now \("oel\.llamacpp\.modelPath"\)/);
  assert.match(embeddedModelProblem('base.gguf', '/models/other.gguf', exists)!, /ran on the local model base\.gguf, but "oel\.llamacpp\.modelPath" is now other\.gguf/);
  assert.match(embeddedModelProblem('base.gguf', '/gone/base.gguf', exists)!, /whose file \/gone\/base\.gguf no longer exists/);
});
