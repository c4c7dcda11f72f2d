/**
 * Receiving adapter versions from a team server. The server is not trusted: a version is stored only after its
 * manifest is signed by the pinned key, names the version asked for, lists only safe file names, and every file
 * streamed from the server has exactly the signed size and sha256. Files are written into a hidden staging folder
 * and the version appears at `<root>/<server>/<version>/` by one rename, so a refused or interrupted download never
 * touches what is already stored. Any failed check refuses the version and says which check failed.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, open, mkdir } from 'node:fs/promises';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  ADAPTER_FILE_NAME_RE, ADAPTER_MANIFEST_FILE, AdapterManifestSchema, manifestSigningPayload, type AdapterManifest,
} from '../protocol/consolidation';
import { fsyncDir, writeFileAtomic } from '../util/atomicWrite';
import { networkError, readCapped, type TeamClient, type TeamPin } from './client';
import { serverText, TeamError } from './errors';

/** The check that refused a version (named in the message, and usable by the UI). */
export type AdapterCheck = 'manifest' | 'version' | 'key' | 'signature' | 'files' | 'missing_file' | 'size' | 'sha256';

/** The outcome of receiving or verifying a version. */
export type AdapterResult =
  | { ok: true; dir: string; manifest: AdapterManifest; alreadyStored: boolean }
  | { ok: false; check: AdapterCheck; message: string };

/** Largest manifest read (it lists files and metrics, never weights). */
const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Largest single adapter file accepted (a LoRA adapter of a small model is megabytes). */
export const DEFAULT_MAX_ADAPTER_FILE_BYTES = 4 * 1024 ** 3;

/** A server's folder name under the adapters root: its host and port, reduced to safe characters. */
export function serverFolderName(url: string): string {
  const u = new URL(url);
  const name = `${u.host}${u.pathname === '/' ? '' : u.pathname}`.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^[._]+/, '');
  return name.slice(0, 100) || 'server';
}

/** Where a version lives: `<root>/<server>/<version>`. */
export function versionDir(root: string, server: string, version: number): string {
  return join(root, server, String(version));
}

/** Whether the Ed25519 signature of a manifest verifies with a raw base64 public key (the pinned one). */
export function verifyManifestSignature(manifest: AdapterManifest, publicKeyBase64: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyBase64, 'base64').toString('base64url') }, format: 'jwk' });
    return verify(null, Buffer.from(manifestSigningPayload(manifest), 'utf8'), key, Buffer.from(manifest.signature.value, 'base64'));
  } catch {
    return false;
  }
}

const refuse = (check: AdapterCheck, version: number, why: string): AdapterResult =>
  ({ ok: false, check, message: `Adapter version ${version} was refused (${check} check): ${why} The previously stored versions are unchanged.` });

/** Parses and checks a manifest's text: schema, version, key, signature and file list, in that order. */
function checkManifest(text: string, version: number, pin: TeamPin, maxFileBytes: number): AdapterResult | AdapterManifest {
  let json: unknown;
  try { json = JSON.parse(text); } catch { return refuse('manifest', version, 'the manifest is not JSON.'); }
  const parsed = AdapterManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('manifest', version, `the manifest does not match the protocol at '${issue.path.join('.')}': ${serverText(issue.message, 120)}.`);
  }
  const m = parsed.data;
  if (m.version !== version) return refuse('version', version, `the server sent the manifest of version ${m.version}.`);
  if (m.signature.key_id !== pin.key_id) return refuse('key', version, `it is signed by key ${serverText(m.signature.key_id, 64)}, not the key ${pin.key_id} pinned when you joined.`);
  if (!verifyManifestSignature(m, pin.public_key_base64)) return refuse('signature', version, `its signature does not verify with the pinned key ${pin.key_id}: the manifest was altered or signed by another key.`);
  const seen = new Set<string>();
  for (const f of m.files) {
    if (!ADAPTER_FILE_NAME_RE.test(f.name) || f.name === ADAPTER_MANIFEST_FILE) return refuse('files', version, `the file name '${serverText(f.name, 80)}' is not one safe path segment.`);
    if (seen.has(f.name)) return refuse('files', version, `the file '${f.name}' is listed twice.`);
    if (f.bytes < 0 || f.bytes > maxFileBytes) return refuse('files', version, `the file '${f.name}' would be ${f.bytes} bytes, over the ${maxFileBytes} allowed.`);
    seen.add(f.name);
  }
  if (m.files.length === 0) return refuse('files', version, 'the manifest lists no files.');
  return m;
}

async function sha256OfFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Verifies a stored version folder as if it had just been downloaded: the manifest's signature with the pinned key,
 * exactly the listed files plus the manifest (an extra file is refused), and each file's size and sha256. Run before
 * a version is activated, since anything with write access to the folder could have changed it since.
 */
export async function verifyStoredAdapter(dir: string, version: number, pin: TeamPin): Promise<AdapterResult> {
  let text: string;
  try { text = await readFile(join(dir, ADAPTER_MANIFEST_FILE), 'utf8'); } catch { return refuse('manifest', version, `there is no ${ADAPTER_MANIFEST_FILE} in ${dir}.`); }
  const m = checkManifest(text, version, pin, Number.MAX_SAFE_INTEGER);
  if ('ok' in m) return m;
  const present = (await readdir(dir)).filter((n) => n !== ADAPTER_MANIFEST_FILE).sort();
  const listed = new Set(m.files.map((f) => f.name));
  const extra = present.filter((n) => !listed.has(n));
  if (extra.length) return refuse('files', version, `the folder has files the manifest does not list: ${extra.join(', ')}.`);
  for (const f of m.files) {
    const path = join(dir, f.name);
    if (!existsSync(path)) return refuse('missing_file', version, `the file '${f.name}' is missing.`);
    const size = (await stat(path)).size;
    if (size !== f.bytes) return refuse('size', version, `the file '${f.name}' has ${size} bytes, not the ${f.bytes} signed.`);
    if ((await sha256OfFile(path)) !== f.sha256) return refuse('sha256', version, `the sha256 of '${f.name}' is not the one signed.`);
  }
  return { ok: true, dir, manifest: m, alreadyStored: true };
}

/** Streams one file into `path`, hashing as it goes; refuses more bytes than signed as soon as they arrive. */
async function download(client: TeamClient, version: number, f: AdapterManifest['files'][number], path: string, o: { signal?: AbortSignal; timeoutMs: number }): Promise<AdapterResult | null> {
  let res: Response;
  try {
    res = await client.send('GET', `/v1/adapters/${version}/files/${encodeURIComponent(f.name)}`, { signal: o.signal, timeoutMs: o.timeoutMs });
  } catch (e) {
    if (e instanceof TeamError && e.kind === 'not_found') return refuse('missing_file', version, `the server does not have the signed file '${f.name}'.`);
    throw e;
  }
  const h = createHash('sha256');
  let size = 0;
  const fh = await open(path, 'w', 0o644);
  try {
    if (res.body) {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          size += chunk.length;
          if (size > f.bytes) { await res.body.cancel().catch(() => undefined); return refuse('size', version, `the server sent more than the ${f.bytes} bytes signed for '${f.name}'.`); }
          h.update(chunk);
          await fh.write(chunk);
        }
      } catch (e) {
        // A connection lost mid-file is a network error (retried), not a verdict on the version.
        throw networkError(e, client.pin.url, o.timeoutMs, o.signal);
      }
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (size !== f.bytes) return refuse('size', version, `the server sent ${size} bytes of '${f.name}', not the ${f.bytes} signed.`);
  if (h.digest('hex') !== f.sha256) return refuse('sha256', version, `the sha256 of '${f.name}' as downloaded is not the one signed: the file was altered.`);
  return null;
}

export interface ReceiveOptions {
  client: TeamClient;
  version: number;
  /** The adapters folder (the extension's global storage `adapters/`). */
  root: string;
  /** This server's folder name under `root` (default {@link serverFolderName} of the pinned URL). */
  server?: string;
  /** Keep at most this many versions of this server after storing (default: keep all). */
  keep?: number;
  /** Versions never pruned (the active one). */
  protect?: number[];
  maxFileBytes?: number;
  /** Limit for each file's download (default 10 minutes). */
  fileTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Downloads, verifies and stores one version. Network failures throw a (retryable) TeamError and leave nothing
 * behind; a version failing any check is refused with `{ok: false, check, message}`. A version already stored and
 * still intact is not downloaded again.
 */
export async function receiveAdapter(o: ReceiveOptions): Promise<AdapterResult> {
  const pin = o.client.pin;
  const server = o.server ?? serverFolderName(pin.url);
  const dest = versionDir(o.root, server, o.version);
  if (existsSync(dest)) {
    const stored = await verifyStoredAdapter(dest, o.version, pin);
    if (stored.ok) { await pruneAdapters(o.root, server, o.keep, [o.version, ...(o.protect ?? [])]); return stored; }
  }
  const text = await o.client.withRetries(async () => readCapped(await o.client.send('GET', `/v1/adapters/${o.version}`, { signal: o.signal }), MAX_MANIFEST_BYTES, 'a manifest'), o.signal);
  const m = checkManifest(text, o.version, pin, o.maxFileBytes ?? DEFAULT_MAX_ADAPTER_FILE_BYTES);
  if ('ok' in m) return m;
  await mkdir(join(o.root, server), { recursive: true });
  const staging = join(o.root, server, `.incoming-${o.version}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  try {
    for (const f of m.files) {
      // A retry (429, 5xx, a dropped connection) starts the file over; each attempt truncates it.
      const failed = await o.client.withRetries(() => download(o.client, o.version, f, join(staging, f.name), { signal: o.signal, timeoutMs: o.fileTimeoutMs ?? 600_000 }), o.signal);
      if (failed) return failed;
    }
    await writeFileAtomic(join(staging, ADAPTER_MANIFEST_FILE), text);
    // A damaged copy of this version (it failed verification above) is replaced as a whole.
    if (existsSync(dest)) await rm(dest, { recursive: true, force: true });
    await rename(staging, dest);
    fsyncDir(join(o.root, server));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  await pruneAdapters(o.root, server, o.keep, [o.version, ...(o.protect ?? [])]);
  return { ok: true, dir: dest, manifest: m, alreadyStored: false };
}

/** The versions stored for a server, ascending (staging folders and anything not a version number are ignored). */
export async function storedVersions(root: string, server: string): Promise<number[]> {
  let names: string[];
  try { names = await readdir(join(root, server)); } catch { return []; }
  return names.filter((n) => /^[1-9]\d{0,8}$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** Removes the oldest versions beyond `keep`, never one in `protect`. Returns the versions removed. */
export async function pruneAdapters(root: string, server: string, keep: number | undefined, protect: number[] = []): Promise<number[]> {
  if (keep === undefined || keep < 1) return [];
  const all = await storedVersions(root, server);
  const removable = all.filter((v) => !protect.includes(v));
  const excess = all.length - keep;
  const removed = removable.slice(0, Math.max(0, excess));
  for (const v of removed) await rm(versionDir(root, server, v), { recursive: true, force: true });
  return removed;
}
