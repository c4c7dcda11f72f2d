/**
 * Versions: every kept adapter version with its signed manifest (files, sizes, sha256, signing key id, parent), which
 * one is current, and "Make current" (rollback or roll forward) after a confirmation.
 */
import { AdapterListResponseSchema, AdapterManifestSchema, CurrentAdapterResponseSchema, type AdapterManifest } from '../core/protocol/consolidation';
import { api } from './api';
import { badge, button, bytes, confirmDialog, el, setChildren, time } from './dom';
import type { Section, SectionContext } from './section';

export function versionsSection(): Section {
  return {
    async mount(root: HTMLElement, ctx: SectionContext) {
      const body = el('div', { class: 'versions' });
      root.append(body);
      const load = async () => {
        const list = await api('GET', 'v1/adapters', AdapterListResponseSchema);
        if (list.adapters.length === 0) { setChildren(body, el('p', { class: 'empty' }, 'No version has been released yet.')); return; }
        const manifests = await Promise.all(list.adapters.map((a) => api('GET', `v1/adapters/${a.version}`, AdapterManifestSchema)));
        manifests.sort((a, b) => b.version - a.version);
        setChildren(body,
          el('p', { 'data-testid': 'current-version' }, list.current === null ? 'No version is current.' : `Current version: v${list.current}. Members' extensions install this one.`),
          el('ul', { class: 'version-list' }, ...manifests.map((m) => versionCard(m, m.version === list.current, ctx, load))));
      };
      await load();
    },
  };
}

function versionCard(m: AdapterManifest, isCurrent: boolean, ctx: SectionContext, reload: () => Promise<void>): HTMLElement {
  const error = el('p', { class: 'field-error', role: 'alert' });
  const total = m.files.reduce((s, f) => s + f.bytes, 0);
  const makeCurrent = ctx.isAdmin && !isCurrent ? button(`Make v${m.version} current`, () => void (async () => {
    const ok = await confirmDialog(`Make v${m.version} current?`,
      `Members' extensions will switch to version v${m.version} the next time they check. The other versions stay on the server.`, `Make v${m.version} current`);
    if (!ok) return;
    try {
      await api('POST', 'v1/adapters/current', CurrentAdapterResponseSchema, { version: m.version });
      ctx.announce(`Version v${m.version} is now current.`);
      await reload();
    } catch (e) { error.textContent = e instanceof Error ? e.message : String(e); }
  })(), { class: 'secondary', 'data-testid': `make-current-${m.version}` }) : null;
  return el('li', { class: 'card version', 'data-version': String(m.version) },
    el('h2', {}, `v${m.version} `, isCurrent ? badge('current', 'ok') : null),
    el('dl', { class: 'pairs' },
      el('dt', {}, 'Released'), el('dd', {}, time(m.created_at)),
      el('dt', {}, 'Parent version'), el('dd', {}, m.parent_version === null ? 'none (first version)' : `v${m.parent_version}`),
      el('dt', {}, 'Base model'), el('dd', {}, m.base_model_id),
      el('dt', {}, 'Items absorbed'), el('dd', {}, String(m.knowledge.ids.length)),
      el('dt', {}, 'Signature'), el('dd', {}, `${m.signature.alg}, key id `, el('code', { 'data-testid': 'key-id' }, m.signature.key_id)),
      el('dt', {}, 'Gate'), el('dd', {}, m.gate.passed ? 'passed' : 'failed')),
    el('details', {},
      el('summary', {}, `${m.files.length} files, ${bytes(total)}`),
      el('div', { class: 'table-wrap' }, el('table', { class: 'data files' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'File'), el('th', { scope: 'col' }, 'Size'), el('th', { scope: 'col' }, 'sha256'))),
        el('tbody', {}, ...m.files.map((f) => el('tr', {}, el('td', {}, f.name), el('td', {}, bytes(f.bytes)), el('td', {}, el('code', { class: 'hash' }, f.sha256)))))))),
    makeCurrent, error);
}
