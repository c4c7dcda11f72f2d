/**
 * The whole learning step for finished episodes: evidence from their citations and outcomes, then extraction by the
 * same model, and the proposals added to the knowledge file (pending unless auto-accept applies and nothing was
 * flagged). Several episodes that finished together are learned in one batch: one extraction request each, then one
 * write per file. Respects a daily token budget.
 */
import type { ChatBackend } from '../provider/chatBackend';
import type { Episode } from '../trajectory/episode';
import type { Embedder } from './dedup';
import { DailyTokenBudget, extractKnowledge, type ExtractResult } from './extraction';
import { allItems, liveItems, tombstones, type KnowledgeItem, type KnowledgeScope } from './format';
import { addItem, applyEvidence, evidenceFromEpisode, type AddResult, type Evidence } from './operations';
import type { KnowledgeFileStore, KnowledgeUpdateResult } from './store';

/** One episode to learn from. */
export interface LearnEpisode {
  episode: Episode;
  /** Citations before this step index were counted already (the episode was learned before a follow-up). */
  evidenceFromStep?: number;
  /** False: only count its citations as evidence, no extraction request (extraction is off or manual). Default true. */
  extract?: boolean;
}

/** Options of {@link learnFromEpisodes}. */
export interface LearnBatchOptions {
  episodes: LearnEpisode[];
  /** The file new items go to. */
  store: KnowledgeFileStore;
  /** Scope written on new items (the scope of `store`; default workspace). */
  scope?: KnowledgeScope;
  /**
   * Other knowledge files (the user's file when `store` is the workspace's, and the reverse): the extractor sees their
   * items and tombstones, dedup compares against them, and evidence for their items is written to them.
   */
  others?: KnowledgeFileStore[];
  baseUrl: string;
  apiKey: string;
  /**
   * The runtime that ran these episodes, when it is not the OpenAI-compatible endpoint at `baseUrl` (the embedded
   * llama.cpp runtime): extraction asks it instead, on-policy, and `baseUrl` is never contacted. See {@link extractKnowledge}.
   */
  backend?: ChatBackend;
  /** Extraction model override (default: each episode's own model). */
  model?: string;
  /** Token budget of each compacted trajectory in the prompt (default: extraction's); a small local context needs less. */
  trajectoryBudgetTokens?: number;
  autoAccept?: boolean;
  budget?: DailyTokenBudget;
  /** Tokens to reserve before each model call (default 8,000). */
  reserveTokens?: number;
  embed?: Embedder;
  /** Literal secrets (the API key) to redact from proposals. */
  knownSecrets?: readonly string[];
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** What {@link learnFromEpisodes} did. */
export interface LearnBatchResult {
  /** One entry per episode, in order; null where extraction was skipped (not asked for, the task never reached the model, budget spent, or aborted). */
  extractions: (ExtractResult | null)[];
  added: KnowledgeItem[];
  /** Proposals not added because they repeat an item or a tombstone (in any of the files). */
  duplicates: AddResult[];
  /** Ids whose evidence counts changed, across all files (an id appears once per signal). */
  evidenceIds: string[];
  /** The write of `store`. */
  update: KnowledgeUpdateResult;
}

/**
 * Whether the model answered at least once in this task. A task that ended before (no model configured, server
 * unreachable) holds nothing the model did, so there is nothing to learn from it and no extraction request is spent.
 */
export function reachedModel(episode: Episode): boolean {
  return episode.steps.some((s) => s.kind === 'model');
}

/** Learns from finished episodes and writes the results through the stores. Model and network failures are logged, never thrown. */
export async function learnFromEpisodes(opts: LearnBatchOptions): Promise<LearnBatchResult> {
  const log = opts.log ?? (() => undefined);
  const others = opts.others ?? [];
  const snapshots = await Promise.all([opts.store, ...others].map((s) => s.read()));
  const knowledge = snapshots.flatMap((s) => liveItems(s.doc));
  const pruned = snapshots.flatMap((s) => tombstones(s.doc));
  const extractions: (ExtractResult | null)[] = [];
  for (const { episode, extract } of opts.episodes) {
    if (extract === false || opts.signal?.aborted) { extractions.push(null); continue; }
    if (!reachedModel(episode)) {
      log(`learn: task ${episode.id} never reached the model (${episode.endReason ?? 'no end'}); nothing to learn from it`);
      extractions.push(null);
      continue;
    }
    if (opts.budget && !(await opts.budget.canSpend(opts.reserveTokens ?? 8000))) {
      log(`learn: daily extraction token budget spent; extraction of ${episode.id} skipped`);
      extractions.push(null);
      continue;
    }
    const r = await extractKnowledge({
      episode, knowledge, tombstones: pruned, baseUrl: opts.baseUrl, apiKey: opts.apiKey, backend: opts.backend, model: opts.model,
      trajectoryBudgetTokens: opts.trajectoryBudgetTokens,
      embed: opts.embed, knownSecrets: opts.knownSecrets, signal: opts.signal, log,
    });
    if (opts.budget && r.tokensUsed) await opts.budget.record(r.tokensUsed);
    extractions.push(r);
  }
  const evidence: Evidence[] = opts.episodes.flatMap(({ episode, evidenceFromStep }, i) => [
    ...evidenceFromEpisode(episode, evidenceFromStep ?? 0),
    ...(extractions[i]?.evidence ?? []),
  ]);
  const added: KnowledgeItem[] = [];
  const duplicates: AddResult[] = [];
  const evidenceIds: string[] = [];
  const update = await opts.store.update(async (d) => {
    evidenceIds.push(...applyEvidence(d, evidence));
    for (const [i, r] of extractions.entries()) {
      const ep = opts.episodes[i].episode;
      for (const p of r?.items ?? []) {
        // A repeat of an item or tombstone in another file is caught by the extraction's dedup. Matches in this file
        // are left to addItem, which tells a contradiction (flagged and kept) from a repeat (dropped).
        const dupId = p.duplicateOf?.id;
        if (p.duplicateOf && !allItems(d).some((x) => x.item.id === dupId)) { duplicates.push({ added: false, duplicateOf: p.duplicateOf }); continue; }
        const res = await addItem(d, p.text, {
          autoAccept: opts.autoAccept, embed: opts.embed, scope: opts.scope, knownSecrets: opts.knownSecrets,
          // The step the model named; else the end of the task, where its outcome is.
          sources: [{ episode: ep.id, step: p.step ?? Math.max(0, ep.steps.length - 1) }],
        });
        if (res.added) added.push(res.item);
        else duplicates.push(res);
      }
    }
  });
  for (const other of others) {
    const r = await other.update((d) => { evidenceIds.push(...applyEvidence(d, evidence)); });
    if (r.conflicts.length) log(`learn: ${other.path}: ${r.conflicts.length} conflict(s) with an outside edit; kept the disk version`);
  }
  return { extractions, added, duplicates, evidenceIds, update };
}

/** Options of {@link learnFromEpisode}. */
export interface LearnOptions extends Omit<LearnBatchOptions, 'episodes'> {
  episode: Episode;
}

/** What {@link learnFromEpisode} did. */
export interface LearnResult {
  /** Null when extraction was skipped (budget spent). */
  extraction: ExtractResult | null;
  added: KnowledgeItem[];
  duplicates: AddResult[];
  evidenceIds: string[];
  update: KnowledgeUpdateResult;
}

/** Runs evidence update and extraction for one finished episode (see {@link learnFromEpisodes}). */
export async function learnFromEpisode(opts: LearnOptions): Promise<LearnResult> {
  const { episode, ...rest } = opts;
  const r = await learnFromEpisodes({ ...rest, episodes: [{ episode }] });
  return { extraction: r.extractions[0], added: r.added, duplicates: r.duplicates, evidenceIds: r.evidenceIds, update: r.update };
}
