/**
 * The buttons a failed send offers, by the core's TeamError kind: a new invite for a revoked token (401) and for a
 * changed server key, the preview (to drop items) for 413 and a refused field (400), the log for 403, and a retry
 * for the rest (network, timeouts, 5xx, 429, which the client already retried with backoff). Pure, unit-tested.
 */
export function sendFailureActions(kind: string): string[] {
  switch (kind) {
    case 'unauthorized': case 'key_changed': return ['Re-join'];
    case 'too_large': case 'invalid': return ['Open Preview'];
    case 'forbidden': return ['Show Log'];
    default: return ['Try Again'];
  }
}
