import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, manifestSigningPayload, type AdapterManifest } from '../core/protocol/consolidation';
import { writeFileDurableSync } from './durableFile';

/** The server's Ed25519 signing key, created on first start (private key file mode 0600). */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex digits of sha256 over the raw 32-byte public key. */
  keyId: string;
  publicKeyBase64: string;
  pem: string;
  created: boolean;
}

/** Reads the key pair from `<data>/keys/`, generating it if absent. */
export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const privPath = join(dataDir, 'keys', 'signing-ed25519.pem');
  let created = false;
  mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  if (!existsSync(privPath)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileDurableSync(privPath, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
    created = true;
  }
  const privateKey = createPrivateKey(readFileSync(privPath));
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  writeFileDurableSync(join(dataDir, 'keys', 'signing-ed25519.pub.pem'), pem, 0o644);
  return { privateKey, publicKey, keyId: keyIdOf(raw), publicKeyBase64: raw.toString('base64'), pem, created };
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

function keyIdOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

/** Signs a manifest: Ed25519 over the UTF-8 of `manifestSigningPayload` (canonical JSON without `signature`). */
export function signManifest(unsigned: Omit<AdapterManifest, 'signature'>, key: SigningKey): AdapterManifest {
  const value = sign(null, Buffer.from(manifestSigningPayload(unsigned), 'utf8'), key.privateKey).toString('base64');
  return { ...unsigned, signature: { alg: 'ed25519', key_id: key.keyId, value } };
}

/** Verifies a manifest with a raw base64 Ed25519 public key, as a client holding the pinned key would. */
export function verifyManifest(manifest: AdapterManifest, publicKeyBase64: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyBase64, 'base64').toString('base64url') }, format: 'jwk' });
  return verify(null, Buffer.from(manifestSigningPayload(manifest), 'utf8'), key, Buffer.from(manifest.signature.value, 'base64'));
}

/** sha256 of the canonical JSON of the included knowledge, so a manifest pins exactly what was distilled. */
export function knowledgeDigest(items: Array<{ id: string; text: string }>): string {
  return createHash('sha256').update(canonicalJson(items.map((i) => [i.id, i.text]))).digest('hex');
}
