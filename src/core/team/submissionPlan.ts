/**
 * Which consented items go into the next submission, across the workspace and user knowledge files, under the
 * window's sharing settings, leaving out what an unsent submission in the queue already carries (so a failed send
 * followed by "Send Now" never submits an item twice). Pure: the preview, the status bar count and the scheduled
 * send all call it, so they agree on what will leave.
 */
import type { KnowledgeDocument, KnowledgeItem, KnowledgeScope } from '../knowledge/format';
import { getItem } from '../knowledge/operations';
import { itemsToShare } from './knowledgeSharing';
import { isReviewed, type ReviewLookup } from '../knowledge/review';
import type { ShareableItem } from './payload';
import type { QueuedSubmission } from './queue';

/** A knowledge file as the plan reads it. */
export interface PlanSource { scope: KnowledgeScope; doc: KnowledgeDocument }

/**
 * An item chosen for the next submission, with the file it lives in and whether its consent was given on this
 * machine (Share with Team, or sent from the preview) for its text as it reads now. A `share: yes` that only the
 * file says (committed by someone, or by a repository) is not: such an item leaves only from the preview.
 */
export interface PlannedItem extends ShareableItem { scope: KnowledgeScope; confirmed: boolean }

/** The next submission's items, and why other consented items wait. */
export interface SubmissionPlan {
  items: PlannedItem[];
  /** Consented items of the workspace file held back because sharing this workspace's knowledge is off. */
  heldByWorkspace: number;
  /** Items already in an unsent submission of the queue. */
  alreadyQueued: number;
  /** With `onlyConfirmed`: consented items left out because their consent was not given on this machine. */
  awaitingPreview: number;
  /** Items left for the next submission: one holds at most {@link MAX_ITEMS_PER_SUBMISSION}. */
  deferred: number;
}

/** The protocol's limit on items per submission (`SubmissionRequestSchema.items`, docs/protocol.md). */
export const MAX_ITEMS_PER_SUBMISSION = 200;
/** The protocol's limit on task statements per submission. */
export const MAX_STATEMENTS_PER_SUBMISSION = 50;

/** The client ids (local item ids) inside the queued submissions' bodies. */
export function queuedClientIds(pending: QueuedSubmission[]): Set<string> {
  const ids = new Set<string>();
  for (const p of pending) {
    try {
      for (const i of (JSON.parse(p.body) as { items?: Array<{ client_id?: unknown }> }).items ?? []) if (typeof i.client_id === 'string') ids.add(i.client_id);
    } catch { /* the queue validated its bodies when it read them */ }
  }
  return ids;
}

/**
 * Plans the next submission. The workspace file's items count only when `shareWorkspaceKnowledge`; an id present in
 * both files is taken once (the workspace file's, as everywhere else in the extension).
 */
export function planSubmission(sources: PlanSource[], o: {
  shareWorkspaceKnowledge: boolean; shareByDefault: 'yes' | 'no'; queued?: Set<string>; reviews?: ReviewLookup;
  /** Consents given on this machine, by item id and text hash. */
  confirmed?: ReviewLookup;
  /** Leave out items not confirmed on this machine (a send without the preview: Send Now, the schedule). */
  onlyConfirmed?: boolean;
}): SubmissionPlan {
  const plan: SubmissionPlan = { items: [], heldByWorkspace: 0, alreadyQueued: 0, awaitingPreview: 0, deferred: 0 };
  const seen = new Set<string>();
  for (const s of [...sources].sort((a, b) => (a.scope === b.scope ? 0 : a.scope === 'workspace' ? -1 : 1))) {
    for (const item of itemsToShare(s.doc, o.shareByDefault, o.reviews)) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      if (s.scope === 'workspace' && !o.shareWorkspaceKnowledge) { plan.heldByWorkspace++; continue; }
      if (o.queued?.has(item.id)) { plan.alreadyQueued++; continue; }
      const confirmed = o.confirmed ? isReviewed(item, o.confirmed) : false;
      if (o.onlyConfirmed && !confirmed) { plan.awaitingPreview++; continue; }
      // More than the server takes at once waits for the next submission rather than making this one fail.
      if (plan.items.length >= MAX_ITEMS_PER_SUBMISSION) { plan.deferred++; continue; }
      plan.items.push({ ...item, scope: s.scope, confirmed });
    }
  }
  return plan;
}

/**
 * Records the user's consent on one item (`share: yes|no` in its metadata), the change the Knowledge view, the
 * CodeLens and the preview's Drop make. Returns false when the file has no live item with this id.
 */
export function setShareConsent(doc: KnowledgeDocument, id: string, share: 'yes' | 'no'): boolean {
  // `updated` is left alone: consent is not a change of the lesson, and the tree sorts by it.
  const item: KnowledgeItem | null = getItem(doc, id);
  if (!item) return false;
  item.share = share;
  return true;
}
