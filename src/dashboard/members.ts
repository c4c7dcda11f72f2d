/**
 * Members and tokens (admins only): the team's tokens grouped by member, creating a member or admin token (its
 * secret shown this once), an invite string for the extension's "Join Team", and revoking a token.
 */
import {
  CreatedTokenResponseSchema, PublicKeyResponseSchema, TokenInfoSchema, TokenListResponseSchema, type TokenInfo,
} from '../core/protocol/consolidation';
import { formatInvite } from '../core/protocol/invite';
import { api, ApiError } from './api';
import { badge, button, confirmDialog, el, field, setChildren, time } from './dom';
import type { Section, SectionContext } from './section';

export function membersSection(): Section {
  return {
    async mount(root: HTMLElement, ctx: SectionContext) {
      const table = el('div', { class: 'tokens' });
      const secretSlot = el('div', { 'aria-live': 'polite' });
      const role = el('select', { 'data-testid': 'token-role' }, el('option', { value: 'member' }, 'member'), el('option', { value: 'admin' }, 'admin'));
      const member = el('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'token-member' });
      const roleField = field('Role', role);
      const memberField = field('Member name', member, 'Optional. Tokens of one person share a name, so k-anonymity counts them once.');
      const formError = el('p', { class: 'field-error', role: 'alert' });
      const base = location.href.replace(/[#?].*$/, '').replace(/\/[^/]*$/, '');

      const create = async (asInvite: boolean) => {
        roleField.setError(''); memberField.setError(''); formError.textContent = '';
        try {
          const body = { role: asInvite ? 'member' : role.value, ...(member.value.trim() ? { member: member.value.trim() } : {}) };
          const created = await api('POST', 'v1/tokens', CreatedTokenResponseSchema, body);
          let secret = created.token;
          let label = `New ${created.role} token for ${created.member}`;
          if (asInvite) {
            const key = await api('GET', 'v1/public-key', PublicKeyResponseSchema);
            secret = formatInvite({ v: 1, url: base, token: created.token, key_id: key.key_id });
            label = `Invite for ${created.member} (member token; key id ${key.key_id})`;
          }
          showSecret(label, secret, asInvite);
          member.value = '';
          ctx.announce(`${asInvite ? 'Invite' : 'Token'} created.`);
          await load();
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          if (e instanceof ApiError && e.field === 'member') memberField.setError(msg);
          else if (e instanceof ApiError && e.field === 'role') roleField.setError(msg);
          else formError.textContent = msg;
        }
      };
      const showSecret = (label: string, secret: string, invite: boolean) => {
        const out = el('input', { type: 'text', readonly: true, value: secret, 'data-testid': invite ? 'new-invite' : 'new-token', class: 'secret' });
        const f = field(label, out, 'Shown this once: copy it now and hand it over privately. The server keeps only its hash.');
        const copy = button('Copy', () => {
          navigator.clipboard?.writeText(secret).then(() => ctx.announce('Copied.'), () => { out.select(); });
        }, { class: 'secondary' });
        setChildren(secretSlot, el('div', { class: 'card secret-card' }, f.wrap, el('div', { class: 'actions' }, copy, button('Done', () => setChildren(secretSlot), { class: 'secondary' }))));
        out.focus();
        out.select();
      };

      const load = async () => {
        const { tokens } = await api('GET', 'v1/tokens', TokenListResponseSchema);
        const active = tokens.filter((t) => !t.revoked_at);
        const members = new Set(active.map((t) => t.member));
        const sorted = [...tokens].sort((a, b) => a.member.localeCompare(b.member) || a.created_at.localeCompare(b.created_at));
        setChildren(table,
          el('p', { 'data-testid': 'members-summary' }, `${members.size} member${members.size === 1 ? '' : 's'} with ${active.length} active token${active.length === 1 ? '' : 's'}.`),
          el('div', { class: 'table-wrap' }, el('table', { class: 'data', 'data-testid': 'tokens-table' },
            el('thead', {}, el('tr', {}, ...['Member', 'Role', 'Token id', 'Created', 'State', ''].map((h) => el('th', { scope: 'col' }, h)))),
            el('tbody', {}, ...sorted.map((t) => tokenRow(t, ctx, load))))));
      };

      root.append(
        el('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-token-title' },
          el('h2', { id: 'new-token-title' }, 'New token'),
          el('div', { class: 'grid' }, roleField.wrap, memberField.wrap),
          el('div', { class: 'actions' },
            button('Create token', () => void create(false), { class: 'primary', 'data-testid': 'token-create' }),
            button('Create invite string', () => void create(true), { class: 'secondary', 'data-testid': 'invite-create' })),
          formError),
        secretSlot, el('h2', {}, 'Tokens'), table);
      await load();
    },
  };
}

function tokenRow(t: TokenInfo, ctx: SectionContext, reload: () => Promise<void>): HTMLElement {
  const error = el('span', { class: 'field-error', role: 'alert' });
  const own = t.id === ctx.session.token_id;
  const revoke = t.revoked_at ? null : button('Revoke', () => void (async () => {
    const ok = await confirmDialog(`Revoke token ${t.id}?`,
      own ? 'This is the token you signed in with: this session ends too.' : `${t.member}'s ${t.role} token stops working at its next request, and any dashboard session using it ends.`,
      'Revoke', true);
    if (!ok) return;
    try {
      await api('POST', `v1/tokens/${encodeURIComponent(t.id)}/revoke`, TokenInfoSchema);
      ctx.announce(`Token ${t.id} revoked.`);
      await reload();
    } catch (e) { error.textContent = e instanceof Error ? e.message : String(e); }
  })(), { class: 'danger-outline', 'aria-label': `Revoke ${t.member}'s ${t.role} token ${t.id}`, 'data-testid': `revoke-${t.id}` });
  return el('tr', { 'data-token-id': t.id },
    el('td', {}, t.member, own ? ' (you)' : ''), el('td', {}, t.role), el('td', {}, el('code', {}, t.id)), el('td', {}, time(t.created_at)),
    el('td', {}, t.revoked_at ? badge('revoked', 'bad') : badge('active', 'ok')),
    el('td', {}, revoke, error));
}
