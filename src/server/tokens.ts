import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurableSync } from './durableFile';

/** A bearer token as stored: only its sha256, never the token itself. */
export interface TokenRecord {
  /** First 12 hex digits of the hash; how admins name a token to revoke it. */
  id: string;
  hash: string;
  team: string;
  role: 'member' | 'admin';
  /** Distinct-member identity for k-anonymity (several tokens may belong to one member). */
  member: string;
  created_at: string;
  revoked_at: string | null;
}

/** The caller behind a valid token. */
export interface Principal {
  tokenId: string;
  team: string;
  role: 'member' | 'admin';
  member: string;
}

/** Team names appear in folder names, so they are restricted to a safe alphabet. */
export const TEAM_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Tokens live in `<data>/tokens.json`, apart from the main database, so `oel server admin token ...` can edit them
 * offline while a server runs: the server re-reads the file whenever its mtime changes.
 */
export class TokenFile {
  private readonly path: string;
  private cache: TokenRecord[] = [];
  private byHash = new Map<string, TokenRecord>();
  /** inode, mtime and size of the file last read: a rename by the CLI always changes the inode. */
  private stamp = '';

  constructor(dataDir: string) { this.path = join(dataDir, 'tokens.json'); }

  list(): TokenRecord[] { this.refresh(); return [...this.cache]; }

  /** Creates a token; returns the secret once (it is not recoverable later). */
  create(team: string, role: 'member' | 'admin', member?: string): { token: string; record: TokenRecord } {
    if (!TEAM_RE.test(team)) throw new Error(`team must match ${TEAM_RE}`);
    this.refresh();
    const token = `oel_${randomBytes(24).toString('base64url')}`;
    const hash = hashToken(token);
    const record: TokenRecord = {
      id: hash.slice(0, 12), hash, team, role, member: member ?? `m-${hash.slice(0, 12)}`,
      created_at: new Date().toISOString(), revoked_at: null,
    };
    this.save([...this.cache, record]);
    return { token, record };
  }

  /** Revokes by id (or id prefix of at least 6); returns false when nothing matched. */
  revoke(idPrefix: string): boolean {
    this.refresh();
    const hits = idPrefix.length >= 6 ? this.cache.filter((t) => t.id.startsWith(idPrefix) && !t.revoked_at) : [];
    if (hits.length !== 1) return false;
    const now = new Date().toISOString();
    this.save(this.cache.map((t) => (t === hits[0] ? { ...t, revoked_at: now } : t)));
    return true;
  }

  /** The principal for a presented token, or null for unknown and revoked tokens. */
  authenticate(token: string): Principal | null {
    return this.authenticateHash(hashToken(token));
  }

  /**
   * The principal for a token's hash (what a dashboard session remembers instead of the token), or null once the
   * token is revoked or gone: re-checked on every request, so revocation ends a session at its next request.
   */
  authenticateHash(hash: string): Principal | null {
    this.refresh();
    const rec = this.byHash.get(hash);
    if (!rec || rec.revoked_at) return null;
    return { tokenId: rec.id, team: rec.team, role: rec.role, member: rec.member };
  }

  /** One team's tokens, oldest first. */
  listTeam(team: string): TokenRecord[] {
    return this.list().filter((t) => t.team === team);
  }

  /**
   * Revokes the token with exactly this id in this team (the HTTP route: no prefixes, no other teams). Returns the
   * record (already revoked ones unchanged), or null when the team has no such token.
   */
  revokeInTeam(team: string, id: string): TokenRecord | null {
    this.refresh();
    const rec = this.cache.find((t) => t.team === team && t.id === id);
    if (!rec) return null;
    if (rec.revoked_at) return rec;
    const revoked = { ...rec, revoked_at: new Date().toISOString() };
    this.save(this.cache.map((t) => (t === rec ? revoked : t)));
    return revoked;
  }

  private refresh(): void {
    if (!existsSync(this.path)) { this.setCache([]); this.stamp = ''; return; }
    const st = statSync(this.path);
    const stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
    if (stamp === this.stamp) return;
    this.setCache((JSON.parse(readFileSync(this.path, 'utf8')) as { tokens: TokenRecord[] }).tokens);
    this.stamp = stamp;
  }

  private save(tokens: TokenRecord[]): void {
    writeFileDurableSync(this.path, JSON.stringify({ tokens }, null, 1), 0o600);
    this.setCache(tokens);
    const st = statSync(this.path);
    this.stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
  }

  private setCache(tokens: TokenRecord[]): void {
    this.cache = tokens;
    this.byHash = new Map(tokens.map((t) => [t.hash, t]));
  }
}
