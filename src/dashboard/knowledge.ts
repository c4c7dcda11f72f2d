/**
 * Knowledge: the team's merged items with their status (waiting shows the k-progress), support, merged wordings and
 * safety flags; admins approve or reject. Item text is rendered as text only (see dom.ts).
 */
import { KnowledgeListResponseSchema, TeamItemSchema, type TeamItem } from '../core/protocol/consolidation';
import { api, ApiError } from './api';
import { badge, button, el, field, setChildren, time } from './dom';
import type { Section, SectionContext } from './section';

const STATUS_TEXT: Record<TeamItem['status'], string> = { waiting: 'Waiting', admitted: 'Admitted', rejected: 'Rejected' };

/** "Waiting · 1 of 2 members", "Admitted by an admin", ... */
export function statusLine(item: TeamItem, k: number): string {
  if (item.status === 'waiting') return `Waiting · ${item.members} of ${k} members`;
  return `${STATUS_TEXT[item.status]}${item.decided_by_admin ? ' by an admin' : ''}`;
}

export function knowledgeSection(): Section {
  return {
    async mount(root: HTMLElement, ctx: SectionContext) {
      const search = el('input', { type: 'search', 'data-testid': 'knowledge-search', placeholder: 'words in the item' });
      const status = el('select', { 'data-testid': 'knowledge-status' },
        el('option', { value: '' }, 'All'), el('option', { value: 'waiting' }, 'Waiting'), el('option', { value: 'admitted' }, 'Admitted'), el('option', { value: 'rejected' }, 'Rejected'));
      const flagged = el('input', { type: 'checkbox', id: 'kn-flagged', 'data-testid': 'knowledge-flagged' });
      const count = el('p', { class: 'count', 'aria-live': 'polite', 'data-testid': 'knowledge-count' });
      const list = el('ul', { class: 'items', 'data-testid': 'knowledge-list' });
      const refresh = button('Refresh', () => void load(), { class: 'secondary', 'data-testid': 'knowledge-refresh' });
      const toolbar = el('div', { class: 'toolbar' },
        field('Search', search).wrap, field('Status', status).wrap,
        el('div', { class: 'field check' }, flagged, el('label', { for: 'kn-flagged' }, 'Flagged only')),
        refresh);
      root.append(toolbar, count, list);

      let items: TeamItem[] = [];
      let k = 0;
      const render = () => {
        const q = search.value.trim().toLowerCase();
        const shown = items.filter((i) => (!status.value || i.status === status.value) && (!flagged.checked || i.flags.length > 0)
          && (!q || i.text.toLowerCase().includes(q) || i.merged.some((m) => m.text.toLowerCase().includes(q))));
        count.textContent = `${shown.length} of ${items.length} items · k = ${k}`;
        setChildren(list, ...shown.map((i) => itemCard(i, k, ctx, (updated) => {
          items = items.map((x) => (x.id === updated.id ? updated : x));
          render();
        })));
        if (shown.length === 0) list.append(el('li', { class: 'empty' }, items.length ? 'No item matches the filter.' : 'No knowledge yet: items appear when members share them.'));
      };
      const load = async () => {
        const res = await api('GET', 'v1/knowledge', KnowledgeListResponseSchema);
        items = res.items;
        k = res.k;
        render();
      };
      search.addEventListener('input', render);
      status.addEventListener('change', render);
      flagged.addEventListener('change', render);
      await load();
    },
  };
}

function itemCard(item: TeamItem, k: number, ctx: SectionContext, onChange: (i: TeamItem) => void): HTMLElement {
  const kind = item.status === 'admitted' ? 'ok' : item.status === 'rejected' ? 'bad' : 'wait';
  const error = el('p', { class: 'field-error', role: 'alert' });
  const decide = (decision: 'approve' | 'reject') => async () => {
    error.textContent = '';
    try {
      const updated = await api('POST', `v1/knowledge/${encodeURIComponent(item.id)}/decision`, TeamItemSchema, { decision });
      ctx.announce(`Item ${decision === 'approve' ? 'approved' : 'rejected'}.`);
      onChange(updated);
    } catch (e) {
      error.textContent = e instanceof ApiError || e instanceof Error ? e.message : String(e);
    }
  };
  const label = item.text.length > 60 ? `${item.text.slice(0, 60)}…` : item.text;
  const actions = ctx.isAdmin ? el('div', { class: 'actions' },
    button('Approve', () => void decide('approve')(), { class: 'secondary', disabled: item.status === 'admitted' && item.decided_by_admin, 'aria-label': `Approve: ${label}`, 'data-testid': 'approve' }),
    button('Reject', () => void decide('reject')(), { class: 'danger-outline', disabled: item.status === 'rejected', 'aria-label': `Reject: ${label}`, 'data-testid': 'reject' }),
  ) : null;
  return el('li', { class: 'item card', 'data-item-id': item.id, 'data-status': item.status },
    el('p', { class: 'item-text', 'data-testid': 'item-text' }, item.text),
    el('div', { class: 'meta' },
      badge(statusLine(item, k), kind),
      el('span', {}, `${item.members} member${item.members === 1 ? '' : 's'}`),
      el('span', {}, 'first ', time(item.first_seen)),
      item.last_seen !== item.first_seen ? el('span', {}, 'latest ', time(item.last_seen)) : null),
    item.flags.length ? el('ul', { class: 'flags', 'aria-label': 'Safety flags' }, ...item.flags.map((f) => el('li', { class: `flag flag-${f.kind}` }, `${f.kind}: ${f.reason}`))) : null,
    item.merged.length ? el('details', { class: 'merged' },
      el('summary', {}, `${item.merged.length} merged wording${item.merged.length === 1 ? '' : 's'}`),
      el('ul', {}, ...item.merged.map((m) => el('li', {}, el('span', { class: 'item-text' }, m.text), ' · ', time(m.first_seen))))) : null,
    actions, error);
}
