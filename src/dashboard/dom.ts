/**
 * DOM helpers for the dashboard. Everything is built with createElement and text nodes, never innerHTML, so text
 * from the server (knowledge items come from team members, and through them from models) can never become markup.
 */

type Child = Node | string | null | undefined | false;

/** Creates an element with attributes and children; strings become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** A button with a click handler. */
export function button(label: string, onClick: () => void, attrs: Record<string, string | boolean | undefined> = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

let idCounter = 0;
/** A unique element id (labels and error messages point at controls by id). */
export const uid = (prefix: string): string => `${prefix}-${++idCounter}`;

/**
 * A labelled form field with an error slot under it, linked by aria-describedby so a screen reader reads the error
 * with the field. `setError('')` clears it.
 */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): { wrap: HTMLElement; setError(msg: string): void } {
  control.id ||= uid('f');
  const errId = uid('err');
  const hintId = hint ? uid('hint') : undefined;
  const err = el('p', { class: 'field-error', id: errId, role: 'alert' });
  control.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  const wrap = el('div', { class: 'field' }, el('label', { for: control.id }, label), control, hint ? el('p', { class: 'hint', id: hintId }, hint) : null, err);
  return {
    wrap,
    setError(msg: string) {
      err.textContent = msg;
      if (msg) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
    },
  };
}

/** Replaces an element's children. */
export function setChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/** "2026-03-01 14:05" in the browser's time zone; the full ISO time is in the element's title. */
export function time(iso: string | null | undefined): HTMLElement | string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return el('time', { datetime: d.toISOString(), title: d.toISOString() }, text);
}

/** Bytes as "1.2 MB". */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** A number for tables: up to 4 significant decimals, or "—". */
export function num(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(digits)).toString();
}

/** A small status label; the text says the status, the colour only repeats it. */
export function badge(text: string, kind: string): HTMLElement {
  return el('span', { class: `badge badge-${kind}` }, text);
}

/**
 * Asks for confirmation in a modal <dialog> (focus stays inside it; Escape cancels). Resolves true only when the
 * confirming button is pressed.
 */
export function confirmDialog(title: string, message: string, confirmLabel: string, danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const msgId = uid('dlgmsg');
    const dlg = el('dialog', { class: 'confirm', 'aria-labelledby': titleId, 'aria-describedby': msgId });
    // Keyboard users continue from the control that opened the dialog.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const done = (ok: boolean) => { dlg.close(); dlg.remove(); if (opener?.isConnected) opener.focus(); resolve(ok); };
    const cancel = button('Cancel', () => done(false), { class: 'secondary', 'data-testid': 'confirm-cancel' });
    const ok = button(confirmLabel, () => done(true), { class: danger ? 'danger' : 'primary', 'data-testid': 'confirm-ok' });
    dlg.append(el('h2', { id: titleId }, title), el('p', { id: msgId }, message), el('div', { class: 'actions' }, cancel, ok));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    cancel.focus();
  });
}
