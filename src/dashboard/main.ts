/**
 * The team dashboard served by `oel server` (bundled to dist/dashboard/dashboard.js; see docs/server.md): sign-in,
 * then one section at a time (Knowledge, Rounds, Learning curves, Versions, Members, Health), chosen by the URL's
 * hash so the back button and links work. Members get the same page without any control that changes something.
 */
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import type { SessionResponse } from '../core/protocol/consolidation';
import { ApiError, currentSession, signIn, signOut, whenSignedOut } from './api';
import { button, el, field, setChildren } from './dom';
import { healthSection } from './health';
import { knowledgeSection } from './knowledge';
import { curvesSection } from './curves';
import { membersSection } from './members';
import { roundsSection } from './rounds';
import { versionsSection } from './versions';
import type { Section, SectionContext } from './section';

const app = document.getElementById('app')!;
/** Polite announcements for screen readers (section loaded, action done). */
const live = el('p', { class: 'visually-hidden', 'aria-live': 'polite', id: 'announcer' });

const SECTIONS: Array<{ id: string; title: string; adminOnly: boolean; make: () => Section }> = [
  { id: 'knowledge', title: 'Knowledge', adminOnly: false, make: knowledgeSection },
  { id: 'rounds', title: 'Rounds', adminOnly: false, make: roundsSection },
  { id: 'curves', title: 'Learning curves', adminOnly: false, make: curvesSection },
  { id: 'versions', title: 'Versions', adminOnly: false, make: versionsSection },
  { id: 'members', title: 'Members', adminOnly: true, make: membersSection },
  { id: 'health', title: 'Health', adminOnly: true, make: healthSection },
];

let current: Section | null = null;
let session: SessionResponse | null = null;

function showSignIn(reason = ''): void {
  current?.dispose?.();
  current = null;
  session = null;
  window.onhashchange = null;
  document.title = 'Sign in · OEL team dashboard';
  const input = el('input', { type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'signin-token', required: true });
  const f = field('Token', input, 'An admin token manages the team; a member token gives a read-only view. It is sent once; the browser then holds only a session cookie that ends after 15 minutes without use.');
  const submit = el('button', { type: 'submit', class: 'primary', 'data-testid': 'signin-submit' }, 'Sign in');
  const form = el('form', { class: 'signin card', 'aria-labelledby': 'signin-title', novalidate: true },
    el('h1', { id: 'signin-title' }, 'OEL team dashboard'),
    reason ? el('p', { class: 'notice', role: 'status', 'data-testid': 'signin-reason' }, reason) : null,
    f.wrap, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (!token) { f.setError('Paste a token.'); input.focus(); return; }
    submit.disabled = true;
    f.setError('');
    signIn(token).then((s) => {
      input.value = '';
      startApp(s);
    }, (err: unknown) => {
      submit.disabled = false;
      f.setError(err instanceof ApiError && err.status === 401 ? 'This token is not valid (unknown or revoked).' : err instanceof Error ? err.message : String(err));
      input.focus();
    });
  });
  setChildren(app, el('main', { class: 'signin-page' }, form), live);
  input.focus();
}

function sectionFromHash(): string {
  const id = location.hash.replace(/^#/, '');
  const s = SECTIONS.find((x) => x.id === id && (!x.adminOnly || session?.role === 'admin'));
  return s ? s.id : 'knowledge';
}

function startApp(s: SessionResponse): void {
  session = s;
  const isAdmin = s.role === 'admin';
  const nav = el('nav', { 'aria-label': 'Sections' }, el('ul', {}, ...SECTIONS.filter((x) => !x.adminOnly || isAdmin).map((x) =>
    el('li', {}, el('a', { href: `#${x.id}`, 'data-section': x.id }, x.title)))));
  const out = button('Sign out', () => {
    signOut().catch(() => {}).finally(() => { history.replaceState(null, '', location.pathname); showSignIn('You signed out.'); });
  }, { class: 'secondary', 'data-testid': 'signout' });
  const header = el('header', { class: 'topbar' },
    el('p', { class: 'brand' }, 'OEL team dashboard'),
    el('p', { class: 'who', 'data-testid': 'whoami' }, `Team ${s.team} · ${s.member} · `, el('strong', {}, isAdmin ? 'admin' : 'member (read-only)')),
    out);
  const main = el('main', { id: 'main', tabindex: '-1' });
  setChildren(app, el('a', { class: 'skip', href: '#main' }, 'Skip to content'), header, nav, main, live);
  const show = () => {
    const id = sectionFromHash();
    const def = SECTIONS.find((x) => x.id === id)!;
    for (const a of Array.from(nav.querySelectorAll("a"))) {
      if (a.dataset.section === id) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    current?.dispose?.();
    current = def.make();
    document.title = `${def.title} · OEL team dashboard`;
    const ctx: SectionContext = { session: s, isAdmin, announce: (msg) => { live.textContent = msg; } };
    const body = el('section', { 'aria-labelledby': `h-${id}`, 'data-testid': `section-${id}` }, el('h1', { id: `h-${id}`, tabindex: '-1' }, def.title));
    setChildren(main, body);
    current.mount(body, ctx).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) return; // the sign-in form is already shown
      body.append(el('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    });
  };
  window.onhashchange = () => {
    show();
    // Keyboard and screen-reader users land on the new section's heading, not at the top of the page.
    (main.querySelector('h1') as HTMLElement | null)?.focus();
  };
  show();
}

whenSignedOut((reason) => showSignIn(`Signed out: ${reason}`));

currentSession().then((s) => (s ? startApp(s) : showSignIn()), (err: unknown) => showSignIn(err instanceof Error ? err.message : String(err)));
