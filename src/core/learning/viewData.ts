/**
 * Builds the Learning view's `data` message from the summary's facts and the knowledge files. Pure.
 */
import type { KnowledgeDocument } from '../knowledge/format';
import type { LearningData } from '../protocol/learningView';
import type { EpisodeFacts } from './facts';
import { countStatuses, topCited } from './knowledgeStats';
import { buildTimeline, type Granularity } from './series';

/** The view's data: the timeline of `granularity` ending at `now`, items by status, and the most cited items. */
export function buildLearningData(facts: readonly EpisodeFacts[], docs: readonly KnowledgeDocument[], granularity: Granularity, now = new Date()): LearningData {
  const t = buildTimeline(facts, granularity, now);
  return {
    granularity,
    generatedAt: now.toISOString(),
    episodes: facts.length,
    buckets: t.buckets,
    totals: t.totals,
    earlier: t.earlier,
    adapters: t.adapters.slice(-200),
    statuses: countStatuses(docs),
    topCited: topCited(facts, docs),
  };
}
