/**
 * Downloading a GGUF model file: streamed to a temporary sibling, its size and SHA-256 checked while it arrives, and
 * only then renamed into place, so a cancelled, cut or tampered download never leaves a file that looks like a model.
 * The recommended model is pinned here (URI, revision, size, hash) and nowhere else.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fsyncDir } from '../../util/atomicWrite';

/** A model file that can be downloaded and verified. */
export interface ModelFileSpec {
  /** Shown to the user. */
  label: string;
  /** Where it is fetched from (https, or loopback http in tests). */
  url: string;
  /** The file name it gets on disk (a plain name, no folders). */
  fileName: string;
  /** Lowercase hex SHA-256 of the whole file. */
  sha256: string;
  /** Exact size in bytes. */
  bytes: number;
}

/**
 * Qwen2.5-Coder 0.5B Instruct, Q4_K_M: the smallest coding model that follows the agent's tool format at all, and it
 * runs on a laptop CPU. Pinned to a Hugging Face revision so the hash below stays the file's hash.
 */
export const RECOMMENDED_MODEL_URI = 'hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf';
const RECOMMENDED_REVISION = 'ebb2015119c907b064c512bf053e945850b5875f';

/** The recommended model, resolved to its download URL. */
export const RECOMMENDED_MODEL: ModelFileSpec = {
  label: 'Qwen2.5-Coder 0.5B Instruct (Q4_K_M, 469 MiB)',
  url: huggingFaceUrl(RECOMMENDED_MODEL_URI, RECOMMENDED_REVISION),
  fileName: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
  sha256: '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
  bytes: 491_400_064,
};

/** Turns `hf:owner/repo/path/file.gguf` into its `resolve` URL at `revision`. Throws on anything else. */
export function huggingFaceUrl(uri: string, revision = 'main'): string {
  const m = /^hf:([\w.-]+)\/([\w.-]+)\/((?:[\w.-]+\/)*[\w.-]+\.gguf)$/.exec(uri);
  if (!m || m.slice(1).some((p) => p.split('/').some((s) => s === '..' || s === '.'))) throw new Error(`Not a Hugging Face GGUF URI: ${uri}`);
  return `https://huggingface.co/${m[1]}/${m[2]}/resolve/${encodeURIComponent(revision)}/${m[3]}`;
}

/** Progress of a download. */
export interface DownloadProgress { receivedBytes: number; totalBytes: number }

/** Options of {@link downloadModelFile}. */
export interface DownloadOptions {
  /** The folder the file lands in (created if missing). */
  dir: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
}

/** Why a download failed; `cancelled` is the user's Cancel, the rest are refusals or network errors. */
export class ModelDownloadError extends Error {
  constructor(message: string, readonly cancelled = false) { super(message); this.name = 'ModelDownloadError'; }
}

/**
 * Downloads `spec` into `opts.dir` and returns the file's path. An existing file with the right hash is reused. The
 * bytes go to a temporary sibling; a wrong size or hash, a network error or a cancel deletes it and throws a
 * {@link ModelDownloadError}, and the target path is never touched.
 */
export async function downloadModelFile(spec: ModelFileSpec, opts: DownloadOptions): Promise<string> {
  // The file name comes from a spec that tests (and one day a catalogue) supply: never let it leave the folder.
  if (basename(spec.fileName) !== spec.fileName || !spec.fileName.endsWith('.gguf') || spec.fileName.startsWith('.')) {
    throw new ModelDownloadError(`Refusing the model file name "${spec.fileName}": a plain *.gguf name is required.`);
  }
  if (!/^[0-9a-f]{64}$/.test(spec.sha256)) throw new ModelDownloadError('The expected SHA-256 is not 64 lowercase hex digits.');
  await mkdir(opts.dir, { recursive: true });
  const target = join(opts.dir, spec.fileName);
  if (await fileMatches(target, spec)) return target;

  const tmp = join(opts.dir, `.${spec.fileName}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  try {
    await fetchInto(spec, tmp, opts);
    await rename(tmp, target);
    fsyncDir(opts.dir);
    return target;
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    if (e instanceof ModelDownloadError) throw e;
    if (opts.signal?.aborted) throw new ModelDownloadError('The download was cancelled; nothing was kept.', true);
    throw new ModelDownloadError(`The download of ${spec.label} failed: ${(e as Error).message}. Nothing was kept.`);
  }
}

async function fetchInto(spec: ModelFileSpec, tmp: string, opts: DownloadOptions): Promise<void> {
  const res = await fetch(spec.url, { signal: opts.signal, redirect: 'follow' });
  if (!res.ok || !res.body) throw new ModelDownloadError(`The download of ${spec.label} failed: HTTP ${res.status} from ${new URL(spec.url).host}.`);
  const hash = createHash('sha256');
  const out = createWriteStream(tmp, { mode: 0o644 });
  const closed = new Promise<void>((resolve, reject) => { out.on('close', resolve); out.on('error', reject); });
  let received = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.byteLength;
      // Stop as soon as the server sends more than promised: a bigger file is not the pinned one.
      if (received > spec.bytes) throw new ModelDownloadError(`Refused ${spec.label}: the server sent more than the expected ${spec.bytes} bytes.`);
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      opts.onProgress?.({ receivedBytes: received, totalBytes: spec.bytes });
    }
  } finally {
    out.end();
    await closed;
  }
  if (received !== spec.bytes) throw new ModelDownloadError(`Refused ${spec.label}: received ${received} bytes, expected ${spec.bytes}.`);
  const got = hash.digest('hex');
  if (got !== spec.sha256) throw new ModelDownloadError(`Refused ${spec.label}: its SHA-256 is ${got}, expected ${spec.sha256}. The file was deleted.`);
  const fh = await open(tmp, 'r+');
  try { await fh.sync(); } finally { await fh.close(); }
}

/** Whether `path` already holds exactly `spec` (size, then hash). */
async function fileMatches(path: string, spec: ModelFileSpec): Promise<boolean> {
  let fh;
  try { fh = await open(path, 'r'); } catch { return false; }
  try {
    if ((await fh.stat()).size !== spec.bytes) return false;
    const hash = createHash('sha256');
    for await (const chunk of fh.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest('hex') === spec.sha256;
  } finally {
    await fh.close();
  }
}
