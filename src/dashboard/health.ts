/** Health (admins only): the trainer's Python, the data folder's disk use, the round queue and the last error. */
import { ServerStatusResponseSchema } from '../core/protocol/consolidation';
import { api } from './api';
import { badge, button, bytes, el, setChildren, time } from './dom';
import type { Section } from './section';

export function healthSection(): Section {
  return {
    async mount(root) {
      const body = el('div', { 'aria-busy': 'true' }, el('p', {}, 'Checking the trainer… (this imports torch, which takes a few seconds)'));
      const load = async () => {
        const s = await api('GET', 'v1/status', ServerStatusResponseSchema);
        body.removeAttribute('aria-busy');
        const t = s.trainer;
        setChildren(body, el('dl', { class: 'pairs health', 'data-testid': 'health' },
          el('dt', {}, 'Trainer'), el('dd', { 'data-testid': 'health-trainer' }, t.available === null ? badge('not checked', 'neutral') : t.available ? badge('available', 'ok') : badge('unavailable', 'bad'), ' ', t.detail, t.checked_at ? el('span', { class: 'muted' }, ' · checked ', time(t.checked_at)) : null),
          el('dt', {}, 'Data folder'), el('dd', { 'data-testid': 'health-disk' }, `${bytes(s.disk.data_bytes)} used · ${bytes(s.disk.free_bytes)} free of ${bytes(s.disk.total_bytes)}`),
          el('dt', {}, 'Queue'), el('dd', { 'data-testid': 'health-queue' }, `${s.queue.queued} waiting · ${s.queue.running ? 'a round is running' : 'nothing running'}`),
          el('dt', {}, 'Last error'), el('dd', { 'data-testid': 'health-error' }, s.last_error ? el('span', {}, time(s.last_error.at), ' ', s.last_error.message) : 'none'),
          el('dt', {}, 'Server'), el('dd', {}, `oel server ${s.version} · k = ${s.k}`)),
          button('Refresh', () => void load(), { class: 'secondary' }));
      };
      root.append(body);
      await load();
    },
  };
}
