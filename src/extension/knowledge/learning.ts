/**
 * Learning after tasks: when a task run ends, its episode is queued; after a short quiet period every queued episode
 * is learned in one background batch (the same provider and model that ran it, unless overridden), within a daily
 * token budget. A task that ran on the embedded llama.cpp runtime is learned on that same local model process. Nothing
 * here blocks the UI: the work runs after the task's end, and progress shows in the status bar.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore, type CoreRuntime, type Episode } from '../core';
import type { KnowledgeFiles } from './knowledgeFiles';

/** Quiet period after the last finished task before a batch starts, so tasks that end together share one batch. */
export const LEARN_DEBOUNCE_MS = 1500;
const BUDGET_STATE = 'oel.knowledge.dailyTokens';
const LEARNED_STATE = 'oel.knowledge.learnedSteps';

/** What one batch did, for the log and the manual command's message. */
/** What one learning batch did; `waiting`: tasks whose learning gave way to a task on the local model (done after it). */
export interface LearnSummary { episodes: number; added: number; pending: number; duplicates: number; skipped: number; waiting?: number; errors: string[] }

/** Queues finished tasks and learns from them in batches. */
export class LearningScheduler implements vscode.Disposable {
  private readonly queue = new Set<string>();
  /** Episodes the user asked to learn from again (manual command): extracted even if nothing is new. */
  private readonly forced = new Set<string>();
  /**
   * Episodes whose extraction on the local model gave way to a task (the embedded runtime answers one request at a
   * time, and a task must not wait behind learning): extracted again after the next task ends.
   */
  private readonly deferred = new Set<string>();
  /** Stops the local-model batch in flight when a task starts. */
  private localBatch: AbortController | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<LearnSummary> | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly ctx: OelContext, private readonly files: KnowledgeFiles) {
    // Every finished run is queued: its citations count as evidence whatever the extraction mode; only `auto` also
    // asks the model for new items.
    ctx.own(ctx.onDidFinishTask((id) => {
      for (const d of this.deferred) this.queue.add(d);
      this.enqueue(id);
    }));
    ctx.own(ctx.onDidChangeRunning((running) => { if (running) this.localBatch?.abort(); }));
  }

  /** Queues an episode and (re)starts the quiet period. */
  enqueue(episodeId: string): void {
    this.queue.add(episodeId);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), LEARN_DEBOUNCE_MS);
  }

  /** Learns from everything queued now (after any batch already running). */
  async flush(): Promise<LearnSummary> {
    clearTimeout(this.timer);
    while (this.running) await this.running.catch(() => undefined);
    const ids = [...this.queue];
    this.queue.clear();
    if (!ids.length) return { episodes: 0, added: 0, pending: 0, duplicates: 0, skipped: 0, errors: [] };
    const run: Promise<LearnSummary> = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: '$(lightbulb) OEL: learning from the task…' },
      () => this.learn(ids),
    )).catch((e: unknown) => ({ episodes: ids.length, added: 0, pending: 0, duplicates: 0, skipped: 0, errors: [(e as Error).message] }));
    this.running = run;
    try {
      const r = await run;
      for (const e of r.errors) this.ctx.log.warn(`knowledge: ${e}`);
      return r;
    } finally {
      this.running = null;
    }
  }

  /** Learns from one task now, whatever the extraction mode (the manual command). */
  async learnNow(episodeId: string): Promise<LearnSummary> {
    this.queue.add(episodeId);
    this.forced.add(episodeId);
    return this.flush();
  }

  private async learn(ids: string[]): Promise<LearnSummary> {
    const errors: string[] = [];
    if (!this.ctx.trusted) {
      // Restricted Mode: no learning and no writes. Only a request by the user deserves an answer.
      const asked = ids.some((id) => this.forced.delete(id));
      return { episodes: 0, added: 0, pending: 0, duplicates: 0, skipped: ids.length, errors: asked ? ['Restricted Mode: the agent does not learn in an untrusted workspace.'] : [] };
    }
    await this.files.init();
    const core = await loadCore();
    const store = await this.ctx.store();
    const settings = this.ctx.config.knowledge;
    const learned = this.ctx.ext.workspaceState.get<Record<string, number>>(LEARNED_STATE, {});
    const episodes: { episode: Episode; evidenceFromStep: number; extract: boolean }[] = [];
    for (const id of ids) {
      const episode = store.read(id);
      if (!episode) { errors.push(`task ${id} is no longer stored; nothing to learn`); continue; }
      if (!episode.endReason) { errors.push(`task ${id} is still running; it is learned when it ends`); continue; }
      const force = this.forced.delete(id);
      const again = this.deferred.delete(id);
      if (!core.reachedModel(episode)) {
        // No model turn, so no lesson and no evidence: say so when the user asked, stay silent after a failed task.
        if (force) errors.push(`task ${id} never reached the model (it ended with ${episode.endReason}); there is nothing to learn from it`);
        continue;
      }
      if (!force && !again && (learned[id] ?? 0) >= episode.steps.length) continue; // nothing new since the last time
      episodes.push({ episode, evidenceFromStep: learned[id] ?? 0, extract: force || settings.extraction === 'auto' || (again && settings.extraction !== 'off') });
    }
    if (!episodes.length) return { episodes: 0, added: 0, pending: 0, duplicates: 0, skipped: ids.length, errors };
    const scope = settings.newItemScope === 'workspace' && this.files.file('workspace') ? 'workspace' : 'user';
    const target = this.files.file(scope)!;
    const others = this.files.files().filter((f) => f !== target && !f.readOnly);
    await Promise.all([target, ...others].map((f) => this.files.saveOpenEditor(f)));
    const apiKey = (await this.ctx.apiKey()) ?? '';
    const budget = new core.DailyTokenBudget(
      settings.dailyTokenBudget,
      async () => this.ctx.ext.globalState.get(BUDGET_STATE) ?? null,
      async (s) => { await this.ctx.ext.globalState.update(BUDGET_STATE, s); },
    );
    let added = 0, pending = 0, duplicates = 0, skipped = 0, waiting = 0;
    // On-policy: each episode is learned by the runtime and model that ran it (the episode records them), one batch per
    // endpoint or local model file, so embedded and OpenAI-compatible episodes never mix (the settings may have changed
    // between tasks).
    const batches = new Map<string, typeof episodes>();
    for (const e of episodes) {
      const key = core.extractionBatchKey(e.episode);
      batches.set(key, [...(batches.get(key) ?? []), e]);
    }
    for (const batch of batches.values()) {
      const runtime = await this.runtimeFor(core, batch, apiKey, errors);
      // A task has the local model first: a batch on it stops when a task starts (or has started), and its episodes wait.
      const local = runtime.backend ? new AbortController() : null;
      const stop = () => local?.abort();
      if (local) {
        this.localBatch = local;
        this.abort.signal.addEventListener('abort', stop);
        if (this.ctx.isRunning) local.abort();
      }
      let r: Awaited<ReturnType<typeof core.learnFromEpisodes>>;
      try {
        r = await core.learnFromEpisodes({
          episodes: batch, store: target.store, scope, others: others.map((f) => f.store), apiKey, ...runtime,
          autoAccept: settings.autoAccept, budget,
          knownSecrets: this.ctx.knownSecrets(), signal: local?.signal ?? this.abort.signal, log: (l) => this.ctx.log.info(`knowledge: ${l}`),
        });
      } finally {
        if (local) { this.localBatch = null; this.abort.signal.removeEventListener('abort', stop); }
      }
      const gaveWay = (x: (typeof r.extractions)[number]) =>
        !this.abort.signal.aborted && (x?.error === core.PREEMPTED_MESSAGE || (!!local?.signal.aborted && (!x || !!x.error)));
      this.files.noteMerge(target, r.update);
      added += r.added.length;
      pending += r.added.filter((i) => i.status === 'pending').length;
      duplicates += r.duplicates.length;
      let gaveWayHere = 0;
      r.extractions.forEach((x, i) => {
        // The evidence of these steps is counted now, whatever the extraction did: never count it twice.
        learned[batch[i].episode.id] = batch[i].episode.steps.length;
        if (!batch[i].extract) return;
        if (runtime.backend && gaveWay(x)) { this.deferred.add(batch[i].episode.id); gaveWayHere++; return; }
        if (!x) skipped++;
        else if (x.error) errors.push(`extraction for ${batch[i].episode.id} failed: ${x.error}`);
      });
      waiting += gaveWayHere;
      if (runtime.backend) {
        // Says where the lesson came from: the user chose a model on this machine, and nothing went over the network.
        const done = r.extractions.filter((x) => x && !x.error);
        this.ctx.log.info(`knowledge: ${done.length} extraction(s) ran on the local model ${batch[0].episode.provider.model} (embedded llama.cpp), ${done.reduce((n, x) => n + (x?.tokensUsed ?? 0), 0)} tokens`);
        if (gaveWayHere) this.ctx.log.info(`knowledge: a task needs the local model; learning from ${gaveWayHere} task(s) resumes after it ends`);
      }
      for (const item of r.added) this.ctx.log.info(`knowledge: learned ${item.id} [${item.status}]${item.flags.length ? ` flagged ${item.flags.map((f) => f.kind).join(', ')}` : ''}: ${item.text}`);
    }
    await this.ctx.ext.workspaceState.update(LEARNED_STATE, learned);
    await this.files.afterWrite();
    this.ctx.log.info(`knowledge: learned from ${episodes.length} task(s): ${added} new (${pending} pending), ${duplicates} duplicate(s), ${skipped} skipped by the daily budget`);
    return { episodes: episodes.length, added, pending, duplicates, skipped, waiting, errors };
  }

  /**
   * How a batch of episodes that ran on one runtime is learned. OpenAI-compatible: its endpoint, with the extraction
   * and embedding models of the settings. Embedded: the window's local model process (the one the agent uses) with the
   * model file set now, when that is still the model that ran the tasks; otherwise their extraction is dropped with a
   * message (another model would not be on-policy) and only their citations count.
   */
  private async runtimeFor(core: CoreRuntime, batch: { episode: Episode; extract: boolean }[], apiKey: string, errors: string[]) {
    const settings = this.ctx.config.knowledge;
    const runtime = core.extractionRuntimeOf(batch[0].episode);
    if (runtime.kind === 'openai') {
      return {
        baseUrl: runtime.baseUrl, model: settings.extractionModel || undefined,
        embed: settings.embeddingModel ? core.openAiEmbedder(runtime.baseUrl, apiKey, settings.embeddingModel) : undefined,
      };
    }
    // No HTTP endpoint: `baseUrl` only names the runtime, and dedup stays lexical (the runtime has no embeddings).
    const baseUrl = batch[0].episode.provider.baseUrl;
    const local = this.ctx.config.llamacpp;
    const problem = core.embeddedModelProblem(runtime.model, local.modelPath, existsSync);
    if (problem) {
      for (const e of batch.filter((x) => x.extract)) {
        e.extract = false;
        errors.push(`task ${e.episode.id} is not learned from: ${problem}. Learning runs on the model that ran the task; its citations still count.`);
      }
      return { baseUrl };
    }
    if (settings.extractionModel && batch.some((x) => x.extract)) {
      this.ctx.log.info(`knowledge: "oel.knowledge.extractionModel" (${settings.extractionModel}) is for OpenAI-compatible providers; tasks on the embedded runtime are learned on their own local model ${runtime.model}`);
    }
    const lm = await this.ctx.localModel();
    // The prompt and the answer must fit the local context: half of it for the trajectory, an eighth for the answer
    // (at most the 1,024 tokens the OpenAI-compatible path allows, and never more than the user's per-turn limit: on a
    // CPU every token is time, and a task sent meanwhile waits for the local model).
    const maxTokens = Math.min(1024, Math.max(64, Math.floor(local.contextSize / 8)), local.maxTokens || Infinity);
    return {
      baseUrl, backend: lm.backend(local, { maxTokens, background: true }),
      trajectoryBudgetTokens: Math.min(6000, Math.floor(local.contextSize / 2)),
    };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.abort.abort();
  }
}
