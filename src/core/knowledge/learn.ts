/**
 * The whole learning step for one finished episode: evidence from its citations and outcome, then extraction by the
 * same model, and the proposals added to the knowledge file (pending unless auto-accept applies and nothing was
 * flagged). Respects a daily token budget.
 */
import type { Episode } from '../trajectory/episode';
import type { Embedder } from './dedup';
import { DailyTokenBudget, extractKnowledge, type ExtractResult } from './extraction';
import { liveItems, tombstones, type KnowledgeItem } from './format';
import { addItem, applyEvidence, evidenceFromEpisode, type AddResult } from './operations';
import type { KnowledgeFileStore, KnowledgeUpdateResult } from './store';

/** Options of {@link learnFromEpisode}. */
export interface LearnOptions {
  episode: Episode;
  store: KnowledgeFileStore;
  baseUrl: string;
  apiKey: string;
  /** Extraction model override (default: the episode's model). */
  model?: string;
  autoAccept?: boolean;
  budget?: DailyTokenBudget;
  /** Tokens to reserve before calling the model (default 8,000). */
  reserveTokens?: number;
  embed?: Embedder;
  signal?: AbortSignal;
  log?: (line: string) => void;
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

/** Runs evidence update and extraction for a finished episode and writes the result through the store. */
export async function learnFromEpisode(opts: LearnOptions): Promise<LearnResult> {
  const log = opts.log ?? (() => undefined);
  const { doc } = await opts.store.read();
  let extraction: ExtractResult | null = null;
  if (!opts.budget || (await opts.budget.canSpend(opts.reserveTokens ?? 8000))) {
    extraction = await extractKnowledge({
      episode: opts.episode, knowledge: liveItems(doc), tombstones: tombstones(doc), baseUrl: opts.baseUrl, apiKey: opts.apiKey,
      model: opts.model, embed: opts.embed, signal: opts.signal, log,
    });
    if (opts.budget && extraction.tokensUsed) await opts.budget.record(extraction.tokensUsed);
  } else log('learn: daily extraction token budget spent; extraction skipped');
  const added: KnowledgeItem[] = [];
  const duplicates: AddResult[] = [];
  let evidenceIds: string[] = [];
  const lastStep = Math.max(0, opts.episode.steps.length - 1);
  const update = await opts.store.update(async (d) => {
    evidenceIds = applyEvidence(d, [...evidenceFromEpisode(opts.episode), ...(extraction?.evidence ?? [])]);
    for (const p of extraction?.items ?? []) {
      const r = await addItem(d, p.text, { autoAccept: opts.autoAccept, embed: opts.embed, sources: [{ episode: opts.episode.id, step: lastStep }] });
      if (r.added) added.push(r.item);
      else duplicates.push(r);
    }
  });
  return { extraction, added, duplicates, evidenceIds, update };
}
