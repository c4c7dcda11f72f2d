/**
 * Markdown of the model's answers and the user's requests, parsed by `marked` (CommonMark + GFM) and drawn from its
 * tokens with DOM calls. HTML is disabled by construction: marked's renderer (which passes raw HTML through) is not
 * used, raw HTML tokens are shown as text, images as their alt text (nothing is fetched), and links only keep an
 * http(s) or mailto target. Model output can therefore never inject markup or script.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import { el } from './dom';

/** Hooks of the surrounding view. */
export interface MarkdownHooks {
  /** Turns a cited knowledge id (`[K-…]` in the text) into a node, e.g. a link to the item; absent: left as text. */
  itemLink?: (id: string) => Node;
}

const SAFE_HREF = /^(https?:|mailto:)/i;
/** A cited item id as the model writes it: `[K-abcd1234]`. Mirrors the protocol's item id. */
const CITED_ID = /\[(K-[a-z0-9]{4,12})\]/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Text with the entities marked leaves in it decoded (marked's own renderer would let the browser do that). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[name.toLowerCase()] ?? m;
  });
}

/** Renders Markdown to a fragment (single newlines are line breaks, as people type in a chat). */
export function renderMarkdown(text: string, hooks: MarkdownHooks = {}): DocumentFragment {
  const frag = document.createDocumentFragment();
  frag.append(...blocks(Lexer.lex(text, { gfm: true, breaks: true }), hooks));
  return frag;
}

function blocks(tokens: Token[], hooks: MarkdownHooks): Node[] {
  const out: Node[] = [];
  for (const t of tokens) {
    const node = block(t as Tokens.Generic, hooks);
    if (node) out.push(node);
  }
  return out;
}

function block(t: Tokens.Generic, hooks: MarkdownHooks): Node | null {
  switch (t.type) {
    case 'space': case 'def': return null;
    case 'paragraph': return el('p', {}, ...inline(t.tokens ?? [], hooks));
    case 'heading': return el(`h${Math.min(6, Math.max(1, Number(t.depth) || 1))}` as 'h1', {}, ...inline(t.tokens ?? [], hooks));
    case 'code': {
      const lang = String(t.lang ?? '').trim().split(/\s/)[0];
      return el('pre', { class: 'code-block' }, el('code', lang ? { class: `language-${lang}` } : {}, String(t.text)));
    }
    case 'blockquote': return el('blockquote', {}, ...blocks(t.tokens ?? [], hooks));
    case 'hr': return el('hr');
    case 'list': {
      const list = el(t.ordered ? 'ol' : 'ul');
      if (t.ordered && t.start !== '' && t.start !== 1) list.setAttribute('start', String(t.start));
      for (const item of t.items as Tokens.ListItem[]) list.append(el('li', {}, ...blocks(item.tokens, hooks)));
      return list;
    }
    case 'checkbox': {
      const box = el('input', { type: 'checkbox', disabled: '' });
      box.checked = Boolean(t.checked);
      return box;
    }
    case 'table': {
      const cell = (c: Tokens.TableCell, tag: 'th' | 'td') => el(tag, c.align ? { style: `text-align:${c.align}` } : {}, ...inline(c.tokens, hooks));
      const head = el('thead', {}, el('tr', {}, ...(t.header as Tokens.TableCell[]).map((c) => cell(c, 'th'))));
      const body = el('tbody', {}, ...(t.rows as Tokens.TableCell[][]).map((r) => el('tr', {}, ...r.map((c) => cell(c, 'td')))));
      return el('div', { class: 'table-wrap' }, el('table', {}, head, body));
    }
    // A list item's text: inline content without a paragraph.
    case 'text': return t.tokens ? el('span', {}, ...inline(t.tokens, hooks)) : document.createTextNode(decodeEntities(String(t.text)));
    // Raw HTML is shown as the text it is.
    case 'html': return el('p', {}, String(t.text ?? t.raw));
    default: return document.createTextNode(String(t.raw ?? ''));
  }
}

function inline(tokens: Token[], hooks: MarkdownHooks): Node[] {
  const out: Node[] = [];
  for (const tok of tokens) {
    const t = tok as Tokens.Generic;
    switch (t.type) {
      case 'text': out.push(...(t.tokens ? inline(t.tokens, hooks) : text(String(t.text), hooks))); break;
      case 'escape': out.push(document.createTextNode(String(t.text))); break;
      case 'codespan': out.push(el('code', {}, decodeEntities(String(t.text)))); break;
      case 'strong': out.push(el('strong', {}, ...inline(t.tokens ?? [], hooks))); break;
      case 'em': out.push(el('em', {}, ...inline(t.tokens ?? [], hooks))); break;
      case 'del': out.push(el('del', {}, ...inline(t.tokens ?? [], hooks))); break;
      case 'br': out.push(el('br')); break;
      case 'link': {
        const href = String(t.href ?? '');
        const children = inline(t.tokens ?? [], hooks);
        out.push(SAFE_HREF.test(href) ? el('a', { href, title: href }, ...children) : el('span', {}, ...children));
        break;
      }
      // Nothing is fetched: an image is its alt text.
      case 'image': out.push(document.createTextNode(decodeEntities(String(t.text ?? '')))); break;
      case 'html': out.push(document.createTextNode(String(t.text ?? t.raw))); break;
      case 'checkbox': { const n = block(t, hooks); if (n) out.push(n); break; }
      default: out.push(document.createTextNode(String(t.raw ?? '')));
    }
  }
  return out;
}

/** Plain text, with cited item ids turned into nodes by the hook. */
function text(raw: string, hooks: MarkdownHooks): Node[] {
  const s = decodeEntities(raw);
  if (!hooks.itemLink) return [document.createTextNode(s)];
  const out: Node[] = [];
  let last = 0;
  for (const m of s.matchAll(CITED_ID)) {
    if (m.index > last) out.push(document.createTextNode(s.slice(last, m.index)));
    out.push(document.createTextNode('['), hooks.itemLink(m[1]), document.createTextNode(']'));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(document.createTextNode(s.slice(last)));
  return out;
}
