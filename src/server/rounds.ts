import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTER_GGUF_FILE, type RoundParams } from '../core/protocol/consolidation';
import { TRAINER_JOB_SCHEMA, type TrainerJobInput } from '../core/protocol/trainer';
import { evaluateGate, release } from './adapters';
import type { ModelChat } from './chat';
import type { ServerConfig } from './config';
import type { SigningKey } from './keys';
import { itemStatus } from './merge';
import { OOD_PROMPTS, promptPair, splitPrompts, synthesizePrompts } from './prompts';
import { TERMINAL, type RoundRecord, type Store } from './store';
import { killGroup, type TrainerRunner } from './trainerRunner';

/**
 * Runs consolidation rounds one at a time (the trainer wants the whole machine): prepare prompts, train, gate,
 * release. Every state change is written before it is acted on, so a crash leaves a round that `recover` can re-queue.
 */
export class RoundManager {
  private queue: Array<{ team: string; id: string }> = [];
  private running: { team: string; id: string; abort: AbortController; done: Promise<void> } | null = null;
  private lastProgressWrite = 0;
  /** Set by `stop`, so an abort at shutdown is not recorded as an admin cancel. */
  private shuttingDown = false;

  constructor(
    private readonly store: Store, private readonly cfg: ServerConfig, private readonly chat: ModelChat,
    private readonly runner: TrainerRunner, private readonly key: SigningKey,
  ) {}

  /** After a restart: stop orphaned trainer processes and re-queue interrupted rounds (or fail them after max_attempts). */
  async recover(): Promise<void> {
    for (const r of this.store.unfinishedRounds()) {
      if (r.trainer_pid) killOrphan(r.trainer_pid);
      if (r.attempts >= this.cfg.max_attempts) {
        await this.store.updateRound(r.team, r.id, { status: 'failed', message: `interrupted ${r.attempts} times; giving up`, trainer_pid: null });
      } else {
        const message = r.status === 'queued' ? r.message : `re-queued after a server restart interrupted attempt ${r.attempts}`;
        await this.store.updateRound(r.team, r.id, { status: 'queued', message, trainer_pid: null, progress: { step: 0, total_steps: r.steps, kl: null }, kl_curve: [] });
        this.queue.push({ team: r.team, id: r.id });
      }
    }
    void this.pump();
  }

  /**
   * Queues a round for the team; refuses while the team already has one queued or running. Parameters left out take
   * the configured values, and the round records what it runs with.
   */
  async start(team: string, steps?: number, overrides: Partial<Omit<RoundParams, 'steps'>> = {}): Promise<{ round: RoundRecord } | { conflict: string }> {
    const open = this.store.listRounds(team).find((r) => !TERMINAL.has(r.status));
    if (open) return { conflict: `round ${open.id} is still ${open.status}` };
    const now = new Date().toISOString();
    const params: RoundParams = { ...roundDefaults(this.cfg), ...(steps !== undefined ? { steps } : {}), ...definedOnly(overrides) };
    const s = params.steps;
    const round: RoundRecord = {
      id: `r-${randomUUID()}`, team, status: 'queued', created_at: now, updated_at: now,
      parent_version: this.store.currentVersion(team), knowledge_ids: [], progress: { step: 0, total_steps: s, kl: null },
      params, kl_curve: [],
      gate: null, adapter_version: null, message: null, attempts: 0, steps: s, trainer_pid: null,
    };
    await this.store.createRound(round);
    this.queue.push({ team, id: round.id });
    void this.pump();
    return { round };
  }

  /** Cancels a queued or running round; returns the round (unchanged if already terminal) or null if unknown. */
  async cancel(team: string, id: string): Promise<RoundRecord | null> {
    const r = this.store.getRound(team, id);
    if (!r || TERMINAL.has(r.status)) return r;
    if (this.running && this.running.team === team && this.running.id === id) {
      this.running.abort.abort();
      await this.running.done;
      return this.store.getRound(team, id);
    }
    this.queue = this.queue.filter((q) => !(q.team === team && q.id === id));
    return this.store.updateRound(team, id, { status: 'cancelled', message: 'cancelled by an admin' });
  }

  /** Rounds waiting in the queue (all teams) and whether one is running; for the admin's status page. */
  queueState(): { queued: number; running: boolean } {
    return { queued: this.queue.length, running: this.running !== null };
  }

  /** Stops the running trainer (server shutdown); the round stays non-terminal and is re-queued on the next start. */
  async stop(): Promise<void> {
    this.shuttingDown = true;
    this.queue = [];
    const r = this.running;
    if (r) { r.abort.abort(); await r.done.catch(() => {}); }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const next = this.queue.shift();
    if (!next) return;
    const abort = new AbortController();
    const done = this.execute(next.team, next.id, abort.signal).catch(() => {});
    this.running = { ...next, abort, done };
    await done;
    this.running = null;
    void this.pump();
  }

  private async execute(team: string, id: string, signal: AbortSignal): Promise<void> {
    const r0 = this.store.getRound(team, id);
    if (!r0 || r0.status !== 'queued') return;
    const attempt = r0.attempts + 1;
    const update = (patch: Partial<RoundRecord>, durable = true) => this.store.updateRound(team, id, patch, durable);
    await update({ status: 'preparing', attempts: attempt });
    const workDir = join(this.cfg.data_dir, 'rounds', id, `a${attempt}`);
    try {
      rmSync(workDir, { recursive: true, force: true });
      mkdirSync(workDir, { recursive: true });
      // Round N starts from the current version (round N-1's model), whose weights already hold the knowledge of its
      // lineage; its teacher is that model with the NEW knowledge in context, as in the method's loop.
      const current = this.store.currentVersion(team);
      const consolidated = this.consolidatedItemIds(team, current);
      const admitted = this.store.listItems(team).filter((i) => itemStatus(i.members.length, i.decision, this.cfg.k) === 'admitted');
      const items = admitted.filter((i) => !consolidated.has(i.id))
        .sort((a, b) => b.members.length - a.members.length || a.first_seen.localeCompare(b.first_seen))
        .slice(0, this.cfg.caps.max_knowledge_items);
      if (admitted.length === 0) throw new Error('no admitted knowledge to consolidate');
      if (items.length === 0) throw new Error(`no new knowledge: all ${admitted.length} admitted items are already consolidated into version ${current}`);
      await update({ knowledge_ids: items.map((i) => i.id) });
      const knowledge = items.map((i) => i.text);

      const synthesized = await synthesizePrompts(knowledge, this.chat, this.cfg, this.runner, workDir, signal,
        (pid) => void update({ trainer_pid: pid }));
      const texts = [...this.store.taskStatements(team), ...synthesized];
      if (texts.length === 0) throw new Error('no prompts: no shared task statements and synthesis is off (prompts.per_item = 0)');
      const split = splitPrompts(texts, this.cfg.prompts.heldout_fraction, this.cfg.trainer.seed + attempt);
      const init = current !== null ? this.store.getAdapter(team, current) : null;
      const t = this.cfg.trainer;
      const job: TrainerJobInput = {
        schema: TRAINER_JOB_SCHEMA, job_id: `${id}-a${attempt}`, base_model: this.cfg.model_dir,
        init_adapter: init ? init.dir : null, output_dir: join(workDir, 'adapter'), seed: t.seed, device: t.device, dtype: t.dtype,
        method: 'opcd',
        lora: { rank: t.rank, alpha: t.alpha },
        optim: { lr: r0.params?.lr ?? t.lr, steps: r0.steps, batch_size: t.batch_size },
        sampling: { temperature: t.temperature, max_new_tokens: t.max_new_tokens },
        loss: { top_k: t.top_k, temperature: t.temperature },
        stop_token_ids: this.chat.stopTokenIds, pad_token_id: this.chat.padTokenId,
        prompts: {
          train: split.train.map((p, i) => promptPair(this.chat, `t${i}`, p, knowledge)),
          heldout: split.heldout.map((p, i) => promptPair(this.chat, `h${i}`, p, knowledge)),
          ood: OOD_PROMPTS.map((p, i) => ({ id: `o${i}`, student: promptPair(this.chat, `o${i}`, p, []).student })),
        },
      };
      await update({ status: 'training', parent_version: current, progress: { step: 0, total_steps: r0.steps, kl: null }, kl_curve: [] });
      let curve: Array<[number, number | null]> = [];
      const running = this.runner.run(job, workDir, (e) => {
        if (e.event !== 'step') return;
        // Progress is shown live from memory; it reaches the disk at most every 2 s (a crash re-runs the round anyway).
        const durable = Date.now() - this.lastProgressWrite > 2000;
        if (durable) this.lastProgressWrite = Date.now();
        curve = appendCurvePoint(curve, [e.step, e.kl]);
        void update({ progress: { step: e.step, total_steps: e.total_steps, kl: e.kl }, kl_curve: curve }, durable).catch(() => {});
      }, signal);
      await update({ trainer_pid: running.pid });
      const metrics = await running.result;
      await update({ trainer_pid: null });
      const gate = evaluateGate(metrics, r0.params?.min_kl_reduction ?? this.cfg.gate.min_kl_reduction, r0.params?.max_ood_kl ?? this.cfg.gate.max_ood_kl);
      if (!gate.passed) {
        rmSync(job.output_dir, { recursive: true, force: true });
        await update({ status: 'failed_gate', gate, message: gate.reasons.join('; ') });
        return;
      }
      // Both formats are published: PEFT for vLLM/transformers and llama.cpp's GGUF for the embedded runtime,
      // Ollama and llama-server, so users never need Python. Written into the trainer's output before release, the
      // GGUF is hashed and signed with the other files. A base the exporter refuses still gets its PEFT release.
      let note: string | null = null;
      try {
        await this.runner.exportGguf(job.output_dir, this.cfg.model_dir, join(job.output_dir, ADAPTER_GGUF_FILE), signal);
      } catch (e) {
        if (signal.aborted) throw e;
        note = `released without ${ADAPTER_GGUF_FILE}: ${e instanceof Error ? e.message : String(e)}`;
      }
      const version = Math.max(0, ...this.store.listAdapters(team).map((a) => a.version)) + 1;
      const dir = await release({
        dataDir: this.cfg.data_dir, team, version, parentVersion: current, roundId: id, baseModelId: this.chat.baseModelId,
        knowledge: items.map((i) => ({ id: i.id, text: i.text })), metrics, gate, trainerOutputDir: job.output_dir, key: this.key,
      });
      await this.store.addAdapter({ team, version, parent_version: current, round_id: id, created_at: new Date().toISOString(), dir });
      await update({ status: 'released', gate, adapter_version: version, message: note });
    } catch (e) {
      if (signal.aborted) {
        // Shutdown leaves the round for recovery; an admin cancel ends it.
        if (this.shuttingDown) return;
        await update({ status: 'cancelled', message: 'cancelled by an admin', trainer_pid: null });
      } else {
        await update({ status: 'failed', message: e instanceof Error ? e.message : String(e), trainer_pid: null });
      }
    }
  }

  /** Ids of the items consolidated into `version` and its ancestors (the knowledge already in those weights). */
  private consolidatedItemIds(team: string, version: number | null): Set<string> {
    const ids = new Set<string>();
    const seen = new Set<number>();
    for (let v = version; v !== null && !seen.has(v);) {
      seen.add(v);
      const adapter = this.store.getAdapter(team, v);
      if (!adapter) break;
      for (const id of this.store.getRound(team, adapter.round_id)?.knowledge_ids ?? []) ids.add(id);
      v = adapter.parent_version;
    }
    return ids;
  }
}

/** The parameters a round takes when its request leaves them out. */
export function roundDefaults(cfg: ServerConfig): RoundParams {
  return { steps: cfg.trainer.steps, lr: cfg.trainer.lr, min_kl_reduction: cfg.gate.min_kl_reduction, max_ood_kl: cfg.gate.max_ood_kl };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Most points a round's KL curve keeps; past it every other point is dropped, so long rounds stay cheap to poll. */
export const MAX_CURVE_POINTS = 1000;

/** Appends a step to a KL curve (a new array), thinning it to half when it outgrows MAX_CURVE_POINTS. */
export function appendCurvePoint(curve: Array<[number, number | null]>, point: [number, number | null]): Array<[number, number | null]> {
  const next = [...curve, point];
  return next.length > MAX_CURVE_POINTS ? next.filter((_, i) => i % 2 === 1 || i === next.length - 1) : next;
}

/**
 * Kills a trainer left running by a crashed server, but only if that pid is still an oel_trainer process; its whole
 * process group goes with it (the trainer was started as a group leader, so torchrun's workers are included).
 */
function killOrphan(pid: number): void {
  try {
    const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
    if (cmdline.includes('oel_trainer')) killGroup(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
