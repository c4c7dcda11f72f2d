import type { Consolidation, SubmissionRequest, SubmissionResponse } from '../core/protocol/consolidation';

/** A merged team knowledge item. `members` are distinct member identities (never tokens). */
export interface ItemRecord {
  id: string;
  team: string;
  text: string;
  norm: string;
  members: string[];
  decision: 'approve' | 'reject' | null;
  first_seen: string;
  /** When the latest distinct member's support arrived (absent in databases written before it was recorded). */
  last_seen?: string;
  /** Other wordings (exact text) merged into this item as duplicates or near-duplicates, oldest first, capped at MAX_VARIANTS. */
  variants?: Array<{ text: string; first_seen: string }>;
}

/** How many merged wordings an item keeps for admins to review. */
export const MAX_VARIANTS = 20;

/** A round as stored: the wire shape plus its team and the trainer process it last ran (for orphan cleanup). */
export interface RoundRecord extends Omit<Consolidation, 'params' | 'kl_curve'> {
  /** Absent in databases written before rounds took parameters; the wire shape fills in the configured values. */
  params?: Consolidation['params'];
  /** Absent in databases written before the curve was recorded. */
  kl_curve?: Consolidation['kl_curve'];
  team: string;
  steps: number;
  trainer_pid: number | null;
}

/** A released adapter version; its files live in `dir`. */
export interface AdapterRecord {
  team: string;
  version: number;
  parent_version: number | null;
  round_id: string;
  created_at: string;
  dir: string;
}

/** Limits the store enforces while applying a submission. */
export interface SubmissionPolicy {
  k: number;
  itemsPerMemberPerRound: number;
  statementsPerMemberPerRound: number;
}

/**
 * Everything the server persists except tokens and adapter files. Each method is one transaction; the promise
 * resolves only once its effect is durable. A Postgres implementation replaces `lowdbStore.ts` and nothing else.
 */
export interface Store {
  /** Applies a submission (merge, k-anonymity, caps) or returns the stored answer for a repeated `submission_id`. */
  submit(team: string, member: string, req: SubmissionRequest & { task_statements: string[] }, policy: SubmissionPolicy): Promise<SubmissionResponse>;
  listItems(team: string): ItemRecord[];
  decideItem(team: string, id: string, decision: 'approve' | 'reject'): Promise<ItemRecord | null>;
  taskStatements(team: string): string[];

  createRound(round: RoundRecord): Promise<void>;
  /** Updates a round; `durable: false` skips waiting for the disk (progress ticks). */
  updateRound(team: string, id: string, patch: Partial<RoundRecord>, durable?: boolean): Promise<RoundRecord | null>;
  getRound(team: string, id: string): RoundRecord | null;
  listRounds(team: string): RoundRecord[];
  /** Rounds of every team not in a terminal state (for recovery after a restart), oldest first. */
  unfinishedRounds(): RoundRecord[];

  /** Records a released version and makes it current, in one transaction. */
  addAdapter(rec: AdapterRecord): Promise<void>;
  listAdapters(team: string): AdapterRecord[];
  getAdapter(team: string, version: number): AdapterRecord | null;
  currentVersion(team: string): number | null;
  setCurrent(team: string, version: number): Promise<boolean>;

  /** Waits for pending writes. */
  close(): Promise<void>;
}

/** Terminal round states: a round in one of these never changes again. */
export const TERMINAL: ReadonlySet<string> = new Set(['released', 'failed_gate', 'failed', 'cancelled']);
