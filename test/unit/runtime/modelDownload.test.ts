// The Download Recommended Model code path (core's downloadModelFile) against a loopback HTTP server that serves a tiny
// GGUF made by export-gguf: the file lands verified under the target folder, a wrong hash or size is refused with
// nothing left behind, a cancel deletes the partial file, and a hostile file name cannot leave the folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import {
  RECOMMENDED_MODEL, downloadModelFile, huggingFaceUrl, ModelDownloadError, type ModelFileSpec,
} from '../../../src/core/provider/embedded/modelDownload';
import { createTinyModel } from '../../support/tinyModel';
import { exportGguf } from '../../support/ggufExport';

let gguf: Buffer;
let server: Server;
let root = '';
/** Requests to /slow send one chunk and then hang until the client goes away. */
before(async () => {
  const dir = createTinyModel();
  const out = join(dir, '..', 'base.gguf');
  exportGguf(['--model', dir, '--out', out]);
  gguf = readFileSync(out);
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(gguf.length) });
    if (req.url === '/slow') { res.write(gguf.subarray(0, 1024)); return; }
    res.end(gguf);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => { server.closeAllConnections(); server.close(); });

function spec(over: Partial<ModelFileSpec> = {}): ModelFileSpec {
  return { label: 'tiny', url: `${root}/tiny.gguf`, fileName: 'tiny.gguf', sha256: createHash('sha256').update(gguf).digest('hex'), bytes: gguf.length, ...over };
}

test('downloads, verifies and places the GGUF; node-llama-cpp loads it; a second call reuses it', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'oel-dl-')), 'models');
  const seen: number[] = [];
  const path = await downloadModelFile(spec(), { dir, onProgress: (p) => seen.push(p.receivedBytes) });
  assert.equal(path, join(dir, 'tiny.gguf'));
  assert.deepEqual(readFileSync(path), gguf);
  assert.equal(seen.at(-1), gguf.length, 'progress reaches the full size');
  assert.deepEqual(readdirSync(dir), ['tiny.gguf'], 'no temporary file is left');
  const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path });
  assert.equal(model.fileInfo.metadata.general.architecture, 'qwen2');
  await model.dispose();
  // Reused without a request: the server is pointed at a missing path, so a fetch would fail.
  assert.equal(await downloadModelFile(spec({ url: `${root}/gone` }), { dir }), path);
});

test('a checksum mismatch is refused and nothing is left behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-dl-'));
  await assert.rejects(downloadModelFile(spec({ sha256: 'a'.repeat(64) }), { dir }), (e: Error) => e instanceof ModelDownloadError && /SHA-256/.test(e.message));
  assert.deepEqual(readdirSync(dir), []);
});

test('a size mismatch is refused and nothing is left behind; a wrong existing file is replaced, not trusted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-dl-'));
  await assert.rejects(downloadModelFile(spec({ bytes: gguf.length - 1 }), { dir }), /more than the expected/);
  assert.deepEqual(readdirSync(dir), []);
  writeFileSync(join(dir, 'tiny.gguf'), 'not a model');
  await downloadModelFile(spec(), { dir });
  assert.deepEqual(readFileSync(join(dir, 'tiny.gguf')), gguf);
});

test('cancel stops the download and deletes the partial file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-dl-'));
  const ac = new AbortController();
  const p = downloadModelFile(spec({ url: `${root}/slow` }), { dir, signal: ac.signal, onProgress: () => ac.abort() });
  await assert.rejects(p, (e: Error) => e instanceof ModelDownloadError && e.cancelled);
  assert.deepEqual(readdirSync(dir), []);
});

test('a hostile file name cannot leave the folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-dl-'));
  for (const fileName of ['../evil.gguf', '/tmp/evil.gguf', 'sub/evil.gguf', '.hidden.gguf', 'evil.sh']) {
    await assert.rejects(downloadModelFile(spec({ fileName }), { dir }), /plain \*\.gguf name/);
  }
  assert.equal(existsSync(join(dir, '..', 'evil.gguf')), false);
});

test('the recommended model is pinned to a revision, an https URL, a size and a SHA-256', () => {
  assert.match(RECOMMENDED_MODEL.url, /^https:\/\/huggingface\.co\/Qwen\/Qwen2\.5-Coder-0\.5B-Instruct-GGUF\/resolve\/[0-9a-f]{40}\/qwen2\.5-coder-0\.5b-instruct-q4_k_m\.gguf$/);
  assert.match(RECOMMENDED_MODEL.sha256, /^[0-9a-f]{64}$/);
  assert.ok(RECOMMENDED_MODEL.bytes > 100_000_000);
  assert.throws(() => huggingFaceUrl('hf:a/b/../x.gguf'), /Not a Hugging Face GGUF URI/);
  assert.throws(() => huggingFaceUrl('https://evil/x.gguf'), /Not a Hugging Face GGUF URI/);
});
