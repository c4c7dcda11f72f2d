/**
 * DOM helpers of the Agent view. Text goes in with `append(string)` (a text node) or `textContent`, never as HTML, so
 * nothing the model or a repository wrote can become markup.
 */

/** An element with attributes (`class` sets the class name) and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

/** A codicon; `name~modifier` adds a modifier class (e.g. `loading~spin`). */
export function icon(name: string): HTMLElement {
  const [base, modifier] = name.split('~');
  return el('span', { class: `codicon codicon-${base}${modifier ? ` codicon-modifier-${modifier}` : ''}`, 'aria-hidden': 'true' });
}

/** A labelled button with a codicon. */
export function button(label: string, testid: string, iconName: string, onClick: () => void, secondary = false): HTMLButtonElement {
  const b = el('button', { class: secondary ? 'btn secondary' : 'btn', 'data-testid': testid, type: 'button' }, icon(iconName), el('span', {}, label));
  b.addEventListener('click', onClick);
  return b;
}

/** A link that runs `run` instead of navigating. */
export function actionLink(label: string, run: () => void, attrs: Record<string, string> = {}): HTMLAnchorElement {
  const a = el('a', { href: '#', ...attrs }, label);
  a.addEventListener('click', (e) => { e.preventDefault(); run(); });
  return a;
}
