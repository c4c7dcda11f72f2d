/**
 * The knowledge file's side of team sharing: which items the user consented to share, what the server said about
 * them, and which ones an active team adapter absorbed. All of it is recorded in each item's metadata (`share`,
 * `team`, `consolidated`), so it survives restarts and is reviewable in git. These functions change documents in
 * memory and return what they changed; the caller writes the file (with the knowledge store's merge).
 */
import { liveItems, parseKnowledge, serializeKnowledge, type KnowledgeDocument, type KnowledgeItem } from '../knowledge/format';
import { NO_REVIEWS, needsReview, type ReviewLookup } from '../knowledge/review';
import { knowledgeForPrompt } from '../knowledge/selection';
import type { SubmissionResponse, TeamItem } from '../protocol/consolidation';
import type { ShareableItem } from './payload';

/** Whether this item may be shared: its own `share:` or, when it has none, the workspace's default. */
export function consentsToShare(item: KnowledgeItem, workspaceDefault: 'yes' | 'no'): boolean {
  return (item.share ?? workspaceDefault) === 'yes';
}

/**
 * The items to put in the next submission: accepted or pinned (or set aside only for the budget), consented, not yet
 * shared (no `team:`), not absorbed, and not waiting for a safety review: an item a person has not looked at never
 * leaves the machine.
 */
export function itemsToShare(doc: KnowledgeDocument, workspaceDefault: 'yes' | 'no', reviews: ReviewLookup = NO_REVIEWS): ShareableItem[] {
  return liveItems(doc)
    .filter((i) => (i.status === 'accepted' || i.status === 'pinned' || (i.status === 'inactive' && i.overBudget === true)))
    .filter((i) => consentsToShare(i, workspaceDefault) && !i.team && i.consolidated === false && !needsReview(i, reviews))
    .map((i) => ({ id: i.id, text: i.text }));
}

/** Records the server's answer to a submission: each accepted item gets `team: <item id> <status>`. Returns the ids changed. */
export function applySubmissionResponse(doc: KnowledgeDocument, response: SubmissionResponse): string[] {
  const byClient = new Map(response.accepted.map((a) => [a.client_id, a]));
  const changed: string[] = [];
  for (const item of liveItems(doc)) {
    const a = byClient.get(item.id);
    if (a && (item.team?.id !== a.item_id || item.team.status !== a.status)) { item.team = { id: a.item_id, status: a.status }; changed.push(item.id); }
  }
  return changed;
}

/** Updates each shared item's status from the team's knowledge list (`GET /v1/knowledge`). Returns the ids changed. */
export function applyTeamStatuses(doc: KnowledgeDocument, items: TeamItem[]): string[] {
  const byId = new Map(items.map((t) => [t.id, t.status]));
  const changed: string[] = [];
  for (const item of liveItems(doc)) {
    const status = item.team && byId.get(item.team.id);
    if (item.team && status && status !== item.team.status) { item.team = { ...item.team, status }; changed.push(item.id); }
  }
  return changed;
}

/**
 * Makes the file say which items the active adapter of `server` absorbed: items whose team id is in the adapter's
 * `knowledge.ids` become `consolidated: <server>#<version>` (they leave the prompt); items marked by another version
 * of the same server that this one does not list go back to `consolidated: false` (back into the prompt). With
 * `active` null (no adapter of that server active, e.g. after leaving or rolling back past the first version) every
 * mark of that server is cleared. Call it only when the runtime took the adapter. Returns the ids changed.
 */
export function markAbsorbed(doc: KnowledgeDocument, server: string, active: { version: number; ids: string[] } | null): string[] {
  const mark = active ? `${server}#${active.version}` : null;
  const ids = new Set(active?.ids ?? []);
  const changed: string[] = [];
  for (const item of liveItems(doc)) {
    const ours = typeof item.consolidated === 'string' && item.consolidated.startsWith(`${server}#`);
    const next = mark && item.team && ids.has(item.team.id) ? mark : ours ? false : item.consolidated;
    if (next !== item.consolidated) { item.consolidated = next; changed.push(item.id); }
  }
  return changed;
}

/**
 * Prompt tokens an active adapter saves per task: the knowledge slot as the agent builds it from these file texts
 * (same selection, budget and reviews), minus the slot it would build if no item were absorbed. Exact for the
 * current files, so it can be shown in the Team view and recorded per episode.
 */
export function tokensSavedByAbsorption(texts: string[], o: { budgetTokens?: number; reviews?: ReviewLookup } = {}): { items: number; tokens: number } {
  let items = 0;
  const unabsorbed = texts.map((t) => {
    const { doc } = parseKnowledge(t);
    for (const i of liveItems(doc)) if (i.consolidated !== false) { i.consolidated = false; items++; }
    return serializeKnowledge(doc);
  });
  const slot = (ts: string[]) => knowledgeForPrompt({ texts: ts, budgetTokens: o.budgetTokens, reviews: o.reviews })?.tokens ?? 0;
  return { items, tokens: slot(unabsorbed) - slot(texts) };
}
