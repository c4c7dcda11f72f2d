import { createHash } from 'node:crypto';

/**
 * The key id of a raw Ed25519 public key given as base64 (the `public_key_base64` of `GET /v1/public-key`): the first
 * 16 hex digits of its sha256, as the server computes it. The client computes it itself instead of trusting the
 * server's `key_id`.
 */
export function keyIdOfPublicKey(publicKeyBase64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('hex').slice(0, 16);
}
