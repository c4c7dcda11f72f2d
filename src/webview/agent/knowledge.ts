/**
 * Learned knowledge in the transcript: the collapsed list of items in the task's prompt, the "Used learned knowledge"
 * row, and an item id as a link that reveals the item. Kept apart so the list's presentation can grow on its own.
 */
import type { CitedEntry, KnowledgeEntry } from './state';
import { actionLink, el, icon } from './dom';

/** What these renderers need from the view. */
export interface KnowledgeHooks {
  /** Texts of the items in the task's prompt, by id (tooltips). */
  knownItems: ReadonlyMap<string, string>;
  reveal(id: string): void;
}

/** A knowledge item id as a link that reveals the item in its knowledge file. */
export function itemLink(id: string, hooks: KnowledgeHooks): HTMLElement {
  const text = hooks.knownItems.get(id);
  return actionLink(id, () => hooks.reveal(id), {
    class: 'item-id', 'data-testid': 'knowledge-id', title: text ? `${text}\n\nReveal in the knowledge file` : 'Reveal in the knowledge file',
  });
}

/** "N learned items in context", a `<details>` listing them. */
export function renderKnowledgeContext(entry: KnowledgeEntry, hooks: KnowledgeHooks): HTMLElement {
  // Each item says why it was chosen for this request (relevance, a file in play, a pin, evidence) and its score.
  const why = (i: KnowledgeEntry['items'][number]) => (i.why ? [el('div', { class: 'item-why', 'data-testid': 'knowledge-why' }, i.score ? `${i.why} · score ${i.score}` : i.why)] : []);
  const list = el('ul', { class: 'knowledge-list' }, ...entry.items.map((i) => el('li', {}, itemLink(i.id, hooks), el('span', { class: 'item-text' }, i.text), ...why(i))));
  const n = entry.items.length;
  return el('details', { class: 'knowledge-context', 'data-testid': 'knowledge-context' },
    el('summary', {}, icon('lightbulb'), el('span', {}, `${n} learned item${n === 1 ? '' : 's'} in context`)), list);
}

/** "Used learned knowledge:" with the cited ids. */
export function renderCitations(entry: CitedEntry, hooks: KnowledgeHooks): HTMLElement {
  const row = el('div', { class: 'citations', 'data-testid': 'citations' }, icon('lightbulb'), el('span', {}, 'Used learned knowledge:'));
  for (const id of entry.itemIds) row.append(itemLink(id, hooks));
  return row;
}
