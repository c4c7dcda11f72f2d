/**
 * The knowledge file format (docs/knowledge-format.md): Markdown, one bullet per item, metadata in an indented HTML
 * comment under the bullet, tombstones under a `## Pruned` heading. The parser keeps every line it does not
 * understand as text, in place, so `serialize(parse(x)) === x` for any file the serializer wrote, and hand-written
 * notes survive a rewrite.
 */
import { randomBytes } from 'node:crypto';

/** Review status of a live item. */
export type KnowledgeStatus = 'pending' | 'accepted' | 'pinned' | 'inactive';
/** Every live status, in the order the docs list them. */
export const KNOWLEDGE_STATUSES: readonly KnowledgeStatus[] = ['pending', 'accepted', 'pinned', 'inactive'];
/** Which file an item belongs in: the workspace's `.oel/knowledge.md` or the user's own file. */
export type KnowledgeScope = 'workspace' | 'user';
/** What a safety flag is about. */
export type FlagKind = 'command' | 'url' | 'credential' | 'instruction' | 'conflict' | 'duplicate';
/** Every flag kind. */
export const FLAG_KINDS: readonly FlagKind[] = ['command', 'url', 'credential', 'instruction', 'conflict', 'duplicate'];

/** Where a shared item stands on the team server. */
export type TeamItemStatus = 'waiting' | 'admitted' | 'rejected';

/** A reason an item needs a human look before it may be accepted. */
export interface KnowledgeFlag { kind: FlagKind; reason: string }
/** Where an item came from: an episode id and a step index in it. */
export interface KnowledgeSource { episode: string; step: number }

/** One knowledge item, live or pruned. */
export interface KnowledgeItem {
  /** `K-` followed by 4-12 lowercase letters or digits. */
  id: string;
  /** Live status; for a tombstone, the status it had when it was pruned. */
  status: KnowledgeStatus;
  /** One line of text. */
  text: string;
  scope: KnowledgeScope;
  sources: KnowledgeSource[];
  /** ISO-8601 timestamps; absent for a hand-written item that gave none. */
  created?: string;
  updated?: string;
  helpful: number;
  harmful: number;
  /**
   * False, or the adapter version that absorbed this item (`<server>#<version>` for a team adapter): while that
   * version is active the item stays in the file but leaves the prompt.
   */
  consolidated: false | string;
  /** Consent to share this item with a team (`share: yes|no`); absent: the workspace's default applies. */
  share?: 'yes' | 'no';
  /** After sharing: the team server's item id and its status there (`team: <id> <waiting|admitted|rejected>`). */
  team?: { id: string; status: TeamItemStatus };
  /**
   * Set on an `inactive` item that the extension set aside because it did not fit the prompt budget (metadata
   * `inactive: budget`); such an item is re-activated when it fits again. An item made inactive by hand lacks it.
   */
  overBudget?: true;
  flags: KnowledgeFlag[];
  /** Set on tombstones: when the item was pruned. */
  pruned?: string;
  /** Metadata keys this version does not know, kept verbatim after the known ones. */
  extra: [string, string][];
}

/** A problem found while parsing, with its 1-based line. */
export interface KnowledgeDiagnostic { line: number; message: string; severity: 'error' | 'warning' | 'info' }

/** A stretch of the file: hand-written text, an item, or the heading that starts the pruned section. */
export type KnowledgeBlock =
  | { kind: 'text'; lines: string[] }
  | { kind: 'item'; item: KnowledgeItem; tombstone: boolean; /** 0-based line in the text it was parsed from. */ line?: number }
  | { kind: 'pruned-heading'; line: string };

/** A parsed knowledge file. */
export interface KnowledgeDocument {
  blocks: KnowledgeBlock[];
  eol: '\n' | '\r\n';
  /** Whether the last line ends with a line break. */
  finalNewline: boolean;
}

/** Result of {@link parseKnowledge}. */
export interface ParseResult { doc: KnowledgeDocument; diagnostics: KnowledgeDiagnostic[] }

/** Pattern of a valid item id. */
export const ITEM_ID_RE = /^K-[a-z0-9]{4,12}$/;
/** The heading that starts the tombstone section. */
export const PRUNED_HEADING = '## Pruned';
/** First line of a new file written by the extension. */
export const DEFAULT_HEADER = ['# OEL knowledge', '', 'Learned experience of the OEL agent, one item per bullet. Review pending items in the Knowledge view or with the actions above each item.', ''];

const ITEM_LINE_RE = /^- (K-\S*) \[([a-z]+)\] (.*)$/;
const ITEM_START_RE = /^[-*+] K-/;
const META_OPEN = '  <!-- oel';
const META_CLOSE = '  -->';
const KNOWN_KEYS = ['scope', 'sources', 'created', 'updated', 'helpful', 'harmful', 'consolidated', 'share', 'team', 'inactive', 'flag', 'pruned'];

/** A fresh random item id (`K-` + 8 lowercase alphanumerics). */
export function newItemId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(8);
  let s = 'K-';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

/** Makes text fit on one item line: line breaks and runs of whitespace become single spaces, ends trimmed. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A new, empty document with the default header. */
export function emptyDocument(): KnowledgeDocument {
  return { blocks: [{ kind: 'text', lines: [...DEFAULT_HEADER] }], eol: '\n', finalNewline: true };
}

function isHeading(line: string): boolean {
  return /^#{1,6}\s/.test(line);
}

function isPrunedHeading(line: string): boolean {
  return /^##\s+Pruned\s*$/i.test(line);
}

function parseFlag(v: string): KnowledgeFlag | string {
  const m = /^([a-z]+): (.+)$/.exec(v);
  if (!m || !(FLAG_KINDS as readonly string[]).includes(m[1])) return `flag must be '<${FLAG_KINDS.join('|')}>: <reason>'`;
  return { kind: m[1] as FlagKind, reason: m[2] };
}

function parseSources(v: string): KnowledgeSource[] | string {
  if (v === '-' || v === '') return [];
  const out: KnowledgeSource[] = [];
  for (const part of v.split(', ')) {
    const m = /^([^\s#,]+)#(\d+)$/.exec(part);
    if (!m) return `source '${part}' is not '<episode>#<step>'`;
    out.push({ episode: m[1], step: Number(m[2]) });
  }
  return out;
}

/** Applies one metadata line to the item; returns an error message or null. */
function applyMeta(item: KnowledgeItem, line: string, seen: Set<string>): string | null {
  const m = /^ {2}([a-z][a-z0-9-]*): ?(.*)$/.exec(line);
  if (!m) return `metadata line is not '  key: value'`;
  const [, key, value] = m;
  if (key !== 'flag' && seen.has(key)) return `duplicate metadata key '${key}'`;
  seen.add(key);
  switch (key) {
    case 'scope':
      if (value !== 'workspace' && value !== 'user') return `scope must be workspace or user`;
      item.scope = value;
      return null;
    case 'sources': {
      const s = parseSources(value);
      if (typeof s === 'string') return s;
      item.sources = s;
      return null;
    }
    case 'created':
    case 'updated':
    case 'pruned':
      if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(value)) return `${key} must be an ISO-8601 UTC timestamp`;
      item[key] = value;
      return null;
    case 'helpful':
    case 'harmful': {
      if (!/^\d+$/.test(value)) return `${key} must be a non-negative integer`;
      item[key] = Number(value);
      return null;
    }
    case 'consolidated':
      if (!value) return 'consolidated must be false or an adapter version';
      item.consolidated = value === 'false' ? false : value;
      return null;
    case 'share':
      if (value !== 'yes' && value !== 'no') return 'share must be yes or no';
      item.share = value;
      return null;
    case 'team': {
      const m = /^([A-Za-z0-9._:-]{1,128}) (waiting|admitted|rejected)$/.exec(value);
      if (!m) return "team must be '<team item id> <waiting|admitted|rejected>'";
      item.team = { id: m[1], status: m[2] as TeamItemStatus };
      return null;
    }
    case 'inactive':
      if (value !== 'budget') return `inactive must be 'budget' (set aside for the prompt budget)`;
      item.overBudget = true;
      return null;
    case 'flag': {
      const f = parseFlag(value);
      if (typeof f === 'string') return f;
      item.flags.push(f);
      return null;
    }
    default:
      item.extra.push([key, value]);
      return null;
  }
}

/** Parses a knowledge file. Never throws: what it cannot read becomes text plus a diagnostic. */
export function parseKnowledge(source: string): ParseResult {
  const eol: '\n' | '\r\n' = source.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = source.endsWith('\n');
  const body = finalNewline ? source.slice(0, source.endsWith('\r\n') ? -2 : -1) : source;
  const lines = source === '' ? [] : body.split(eol);
  const blocks: KnowledgeBlock[] = [];
  const diagnostics: KnowledgeDiagnostic[] = [];
  const ids = new Set<string>();
  let inPruned = false;
  const pushText = (...ls: string[]): void => {
    const last = blocks[blocks.length - 1];
    if (last?.kind === 'text') last.lines.push(...ls);
    else blocks.push({ kind: 'text', lines: [...ls] });
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isHeading(line)) {
      if (isPrunedHeading(line)) {
        if (inPruned) diagnostics.push({ line: i + 1, message: 'second pruned section; its items are read as tombstones too', severity: 'warning' });
        inPruned = true;
        blocks.push({ kind: 'pruned-heading', line });
      } else {
        if (/^#{1,2}\s/.test(line)) inPruned = false;
        pushText(line);
      }
      i++;
      continue;
    }
    if (!ITEM_START_RE.test(line)) {
      pushText(line);
      i++;
      continue;
    }
    // An item candidate: the bullet line plus, if present, its metadata comment.
    let end = i + 1;
    let metaLines: string[] = [];
    let error: { line: number; message: string } | null = null;
    if (lines[end] === META_OPEN) {
      let j = end + 1;
      while (j < lines.length && lines[j] !== META_CLOSE && !lines[j].includes('-->')) j++;
      if (j >= lines.length) {
        error = { line: end + 1, message: `metadata comment is not closed with '${META_CLOSE.trim()}'` };
        end = lines.length;
      } else if (lines[j] !== META_CLOSE) {
        error = { line: j + 1, message: `metadata comment must close on its own line '${META_CLOSE}'` };
        end = j + 1;
      } else {
        metaLines = lines.slice(end + 1, j);
        end = j + 1;
      }
    }
    const raw = lines.slice(i, end);
    const m = ITEM_LINE_RE.exec(line);
    let item: KnowledgeItem | null = null;
    if (!error) {
      if (!m) error = { line: i + 1, message: "item line must be '- K-<id> [<status>] <text>'" };
      else if (!ITEM_ID_RE.test(m[1])) error = { line: i + 1, message: `invalid id '${m[1]}': 'K-' then 4-12 lowercase letters or digits` };
      else if (ids.has(m[1])) error = { line: i + 1, message: `duplicate id '${m[1]}'` };
      else if (inPruned ? m[2] !== 'pruned' && !(KNOWLEDGE_STATUSES as readonly string[]).includes(m[2]) : !(KNOWLEDGE_STATUSES as readonly string[]).includes(m[2])) {
        error = { line: i + 1, message: `unknown status '${m[2]}' (${inPruned ? 'pruned' : KNOWLEDGE_STATUSES.join(', ')})` };
      } else if (!m[3].trim()) error = { line: i + 1, message: 'item has no text' };
    }
    if (!error && m) {
      item = { id: m[1], status: m[2] === 'pruned' ? 'inactive' : (m[2] as KnowledgeStatus), text: m[3], scope: 'workspace', sources: [], helpful: 0, harmful: 0, consolidated: false, flags: [], extra: [] };
      const seen = new Set<string>();
      let wasStatus: string | null = null;
      for (let k = 0; k < metaLines.length && !error; k++) {
        const ml = metaLines[k];
        if (ml.startsWith('  was: ')) {
          wasStatus = ml.slice(7);
          continue;
        }
        const msg = applyMeta(item, ml, seen);
        if (msg) error = { line: i + 3 + k, message: msg };
      }
      if (!error && inPruned && wasStatus !== null) {
        if (!(KNOWLEDGE_STATUSES as readonly string[]).includes(wasStatus)) error = { line: i + 1, message: `unknown 'was' status '${wasStatus}'` };
        else item.status = wasStatus as KnowledgeStatus;
      } else if (!error && !inPruned && wasStatus !== null) item.extra.push(['was', wasStatus]);
      if (!error && metaLines.length === 0 && lines[i + 1] !== META_OPEN) {
        diagnostics.push({ line: i + 1, message: 'item has no metadata; defaults apply (fmt adds them)', severity: 'info' });
      }
      if (!error && inPruned && item.pruned === undefined) diagnostics.push({ line: i + 1, message: 'tombstone has no pruned date', severity: 'info' });
    }
    if (error || !item) {
      diagnostics.push({ line: error?.line ?? i + 1, message: error?.message ?? 'malformed item', severity: 'error' });
      pushText(...raw);
    } else {
      ids.add(item.id);
      blocks.push({ kind: 'item', item, tombstone: inPruned, line: i });
    }
    i = end;
  }
  return { doc: { blocks, eol, finalNewline }, diagnostics };
}

/** The canonical lines of one item (bullet plus metadata comment). */
export function itemLines(item: KnowledgeItem, tombstone: boolean): string[] {
  const text = /\s\s|[\t\r\n\f\v]|^\s|\s$/.test(item.text) ? oneLine(item.text) : item.text;
  const out = [`- ${item.id} [${tombstone ? 'pruned' : item.status}] ${text}`, META_OPEN, `  scope: ${item.scope}`];
  out.push(`  sources: ${item.sources.length ? item.sources.map((s) => `${s.episode}#${s.step}`).join(', ') : '-'}`);
  if (item.created) out.push(`  created: ${item.created}`);
  if (item.updated) out.push(`  updated: ${item.updated}`);
  out.push(`  helpful: ${item.helpful}`, `  harmful: ${item.harmful}`, `  consolidated: ${item.consolidated === false ? 'false' : item.consolidated}`);
  if (item.share) out.push(`  share: ${item.share}`);
  if (item.team) out.push(`  team: ${item.team.id} ${item.team.status}`);
  if (item.overBudget) out.push('  inactive: budget');
  for (const f of item.flags) out.push(`  flag: ${f.kind}: ${oneLine(f.reason)}`);
  if (tombstone) {
    out.push(`  was: ${item.status}`);
    if (item.pruned) out.push(`  pruned: ${item.pruned}`);
  }
  for (const [k, v] of item.extra) if (!KNOWN_KEYS.includes(k)) out.push(`  ${k}: ${v}`);
  out.push(META_CLOSE);
  return out;
}

/** Writes a document back to text: items canonical, everything else exactly as it was read. */
export function serializeKnowledge(doc: KnowledgeDocument): string {
  const lines: string[] = [];
  for (const b of doc.blocks) {
    if (b.kind === 'text') lines.push(...b.lines);
    else if (b.kind === 'pruned-heading') lines.push(b.line);
    else lines.push(...itemLines(b.item, b.tombstone));
  }
  if (lines.length === 0) return '';
  return lines.join(doc.eol) + (doc.finalNewline ? doc.eol : '');
}

/** Every item of the document (live and tombstones), in file order. */
export function allItems(doc: KnowledgeDocument): { item: KnowledgeItem; tombstone: boolean }[] {
  return doc.blocks.flatMap((b) => (b.kind === 'item' ? [{ item: b.item, tombstone: b.tombstone }] : []));
}

/** Live (not pruned) items, in file order. */
export function liveItems(doc: KnowledgeDocument): KnowledgeItem[] {
  return allItems(doc).filter((x) => !x.tombstone).map((x) => x.item);
}

/** Pruned items (tombstones), in file order. */
export function tombstones(doc: KnowledgeDocument): KnowledgeItem[] {
  return allItems(doc).filter((x) => x.tombstone).map((x) => x.item);
}

/** Deep copy of a document (items are plain data). */
export function cloneDocument(doc: KnowledgeDocument): KnowledgeDocument {
  return structuredClone(doc);
}

/** Where an item's bullet line is in the serialized document. */
export interface ItemLocation { id: string; /** 0-based line of the bullet. */ line: number; tombstone: boolean; item: KnowledgeItem }

/**
 * The 0-based line of every item's bullet: where the parser found it, for a document straight from
 * {@link parseKnowledge} (hand-written items included); otherwise where {@link serializeKnowledge} would write it.
 * The editor features (CodeLens, diagnostics, reveal) rely on it.
 */
export function locateItems(doc: KnowledgeDocument): ItemLocation[] {
  const out: ItemLocation[] = [];
  let line = 0;
  for (const b of doc.blocks) {
    if (b.kind === 'text') line += b.lines.length;
    else if (b.kind === 'pruned-heading') line += 1;
    else {
      out.push({ id: b.item.id, line: b.line ?? line, tombstone: b.tombstone, item: b.item });
      line += itemLines(b.item, b.tombstone).length;
    }
  }
  return out;
}
