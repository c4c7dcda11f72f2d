import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { SubmissionRequest, SubmissionResponse } from '../core/protocol/consolidation';
import { CommittedDb } from './durableFile';
import { findDuplicate, itemStatus, normalizeText } from './merge';
import { MAX_VARIANTS, TERMINAL, type AdapterRecord, type ItemRecord, type RoundRecord, type Store, type SubmissionPolicy } from './store';

interface Data {
  items: ItemRecord[];
  /** Stored answers by `${team}\0${member}\0${submission_id}`, for idempotent resubmission. */
  submissions: Record<string, SubmissionResponse>;
  statements: Array<{ team: string; member: string; text: string; at: string }>;
  /** Items or statements a member contributed per round epoch: `${team}\0${member}\0${epoch}\0${kind}`. */
  quota: Record<string, number>;
  rounds: RoundRecord[];
  adapters: AdapterRecord[];
  current: Record<string, number>;
}

const empty = (): Data => ({ items: [], submissions: {}, statements: [], quota: {}, rounds: [], adapters: [], current: {} });

/**
 * The embedded store: one lowdb JSON file (`<data>/db.json`) held in memory, written with fsync and group commit.
 * Fine for a team server (thousands of items, hundreds of rounds); docs/scaling.md describes the Postgres swap.
 */
export class LowdbStore implements Store {
  private byNorm = new Map<string, Map<string, string>>();
  private grams = new Map<string, Set<string>>();

  private constructor(private readonly db: CommittedDb<Data>) {
    for (const it of db.data.items) this.normIndex(it.team).set(it.norm, it.id);
  }

  static async open(dataDir: string): Promise<LowdbStore> {
    const db = await CommittedDb.open<Data>(join(dataDir, 'db.json'), empty());
    db.low.data = { ...empty(), ...db.data };
    return new LowdbStore(db);
  }

  private get d(): Data { return this.db.data; }

  private normIndex(team: string): Map<string, string> {
    let m = this.byNorm.get(team);
    if (!m) { m = new Map(); this.byNorm.set(team, m); }
    return m;
  }

  async submit(team: string, member: string, req: SubmissionRequest & { task_statements: string[] }, policy: SubmissionPolicy): Promise<SubmissionResponse> {
    const key = `${team}\0${member}\0${req.submission_id}`;
    const prior = this.d.submissions[key];
    // A repeat may arrive while the first is still being written; waiting for the commit keeps "ack means durable".
    if (prior) { await this.db.commit(); return prior; }

    const epoch = this.d.rounds.filter((r) => r.team === team).length;
    const qk = (kind: string) => `${team}\0${member}\0${epoch}\0${kind}`;
    const now = new Date().toISOString();
    const teamItems = this.d.items.filter((i) => i.team === team);
    const res: SubmissionResponse = { submission_id: req.submission_id, accepted: [], rejected: [], task_statements_accepted: 0, task_statements_rejected: 0 };
    const seenClientIds = new Set<string>();
    for (const item of req.items) {
      if (seenClientIds.has(item.client_id)) { res.rejected.push({ client_id: item.client_id, reason: 'duplicate client_id in this submission' }); continue; }
      seenClientIds.add(item.client_id);
      const norm = normalizeText(item.text);
      if (norm.length < 3) { res.rejected.push({ client_id: item.client_id, reason: 'too short after normalization' }); continue; }
      const used = this.d.quota[qk('items')] ?? 0;
      if (used >= policy.itemsPerMemberPerRound) {
        res.rejected.push({ client_id: item.client_id, reason: `cap: at most ${policy.itemsPerMemberPerRound} items per member per round` });
        continue;
      }
      const dupId = findDuplicate(norm, teamItems, this.normIndex(team), this.grams);
      let rec = dupId ? this.d.items.find((i) => i.id === dupId && i.team === team) : undefined;
      if (rec) {
        if (!rec.members.includes(member)) { rec.members.push(member); rec.last_seen = now; this.d.quota[qk('items')] = used + 1; }
        // Keep each new wording once, so an admin can see what was merged (exact repeats add nothing to review).
        const text = item.text.trim();
        const variants = rec.variants ?? [];
        if (text !== rec.text && !variants.some((v) => v.text === text) && variants.length < MAX_VARIANTS) {
          rec.variants = [...variants, { text, first_seen: now }];
        }
      } else {
        rec = { id: `k-${randomUUID()}`, team, text: item.text.trim(), norm, members: [member], decision: null, first_seen: now, last_seen: now, variants: [] };
        this.d.items.push(rec);
        teamItems.push(rec);
        this.normIndex(team).set(norm, rec.id);
        this.d.quota[qk('items')] = used + 1;
      }
      res.accepted.push({ client_id: item.client_id, item_id: rec.id, status: itemStatus(rec.members.length, rec.decision, policy.k), duplicate_of_existing: !!dupId });
    }
    for (const text of req.task_statements) {
      const used = this.d.quota[qk('statements')] ?? 0;
      if (used >= policy.statementsPerMemberPerRound) { res.task_statements_rejected++; continue; }
      this.d.quota[qk('statements')] = used + 1;
      this.d.statements.push({ team, member, text: text.trim(), at: now });
      res.task_statements_accepted++;
    }
    this.d.submissions[key] = res;
    await this.db.commit();
    return res;
  }

  listItems(team: string): ItemRecord[] { return this.d.items.filter((i) => i.team === team); }

  async decideItem(team: string, id: string, decision: 'approve' | 'reject'): Promise<ItemRecord | null> {
    const rec = this.d.items.find((i) => i.team === team && i.id === id);
    if (!rec) return null;
    rec.decision = decision;
    await this.db.commit();
    return rec;
  }

  taskStatements(team: string): string[] { return this.d.statements.filter((s) => s.team === team).map((s) => s.text); }

  async createRound(round: RoundRecord): Promise<void> {
    this.d.rounds.push(round);
    await this.db.commit();
  }

  async updateRound(team: string, id: string, patch: Partial<RoundRecord>, durable = true): Promise<RoundRecord | null> {
    const r = this.d.rounds.find((x) => x.team === team && x.id === id);
    if (!r) return null;
    Object.assign(r, patch, { updated_at: new Date().toISOString() });
    if (durable) await this.db.commit();
    return r;
  }

  getRound(team: string, id: string): RoundRecord | null { return this.d.rounds.find((r) => r.team === team && r.id === id) ?? null; }
  listRounds(team: string): RoundRecord[] { return this.d.rounds.filter((r) => r.team === team).reverse(); }
  unfinishedRounds(): RoundRecord[] { return this.d.rounds.filter((r) => !TERMINAL.has(r.status)); }

  async addAdapter(rec: AdapterRecord): Promise<void> {
    this.d.adapters.push(rec);
    this.d.current[rec.team] = rec.version;
    await this.db.commit();
  }

  listAdapters(team: string): AdapterRecord[] { return this.d.adapters.filter((a) => a.team === team); }
  getAdapter(team: string, version: number): AdapterRecord | null { return this.d.adapters.find((a) => a.team === team && a.version === version) ?? null; }
  currentVersion(team: string): number | null { return this.d.current[team] ?? null; }

  async setCurrent(team: string, version: number): Promise<boolean> {
    if (!this.getAdapter(team, version)) return false;
    this.d.current[team] = version;
    await this.db.commit();
    return true;
  }

  async close(): Promise<void> { await this.db.drain(); }
}
