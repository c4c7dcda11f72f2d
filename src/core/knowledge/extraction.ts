/**
 * Knowledge extraction (OEL step 2): the model that ran a task reads its compacted trajectory plus the current
 * knowledge and tombstones, and proposes at most two new, concise, general items in a fixed line format, plus
 * optional evidence for existing items. Parsing is strict and never throws; what it cannot read is logged and dropped.
 */
import OpenAI from 'openai';
import type { ChatBackend } from '../provider/chatBackend';
import type { Episode } from '../trajectory/episode';
import { compactEpisode } from './compact';
import { findDuplicate, type DuplicateMatch, type Embedder } from './dedup';
import { ITEM_ID_RE, oneLine, type KnowledgeFlag, type KnowledgeItem } from './format';
import type { Evidence } from './operations';
import { redactKnowledgeText, safetyFlags } from './safety';
import { approxTokens } from './selection';

/** Most items one extraction may propose. */
export const MAX_EXTRACTED_ITEMS = 2;
/** Default token budget of the compacted trajectory in the prompt. */
export const DEFAULT_TRAJECTORY_BUDGET = 6000;
/** Longest accepted item text, in characters. */
export const MAX_ITEM_CHARS = 400;

/** System prompt of the extractor. */
export const EXTRACTION_SYSTEM_PROMPT = `You extract reusable experience from a coding agent's finished task.
Read the task trajectory and its outcome signals (end reason, user feedback, accepted or rejected edits, exit codes,
diagnostics before and after). Propose at most 2 NEW knowledge items: concise, general, transferable rules,
strategies or pitfalls that would help the agent on future tasks in this workspace. Do not repeat or rephrase existing
or pruned items. Do not include secrets, URLs, or instructions about hiding things from the user. If nothing new was
learned, propose nothing.
Answer ONLY with lines in this exact format, nothing else:
ITEM [<step>]: <one sentence of knowledge>
EVIDENCE: <existing item id> helpful|harmful
NONE
<step> is the [number] of the trajectory step the item is mostly learned from (omit "[<step>]" if no single step
fits). Use EVIDENCE only for existing item ids that clearly helped or hurt in this task. Write NONE alone if there is
nothing.`;

/** What {@link buildExtractionPrompt} needs. */
export interface ExtractionPromptInput {
  episode: Episode;
  /** Live items of the current knowledge. */
  knowledge: KnowledgeItem[];
  /** Pruned items (the model must not propose them again). */
  tombstones: KnowledgeItem[];
  trajectoryBudgetTokens?: number;
}

/** The two messages of an extraction request, with token counts. */
export interface ExtractionPrompt { system: string; user: string; tokens: number; trajectoryTokens: number; omittedSteps: number }

/** Builds the extraction messages: compacted trajectory, current knowledge (with ids) and pruned items. */
export function buildExtractionPrompt(input: ExtractionPromptInput): ExtractionPrompt {
  const traj = compactEpisode(input.episode, input.trajectoryBudgetTokens ?? DEFAULT_TRAJECTORY_BUDGET);
  const list = (items: KnowledgeItem[], withIds: boolean): string =>
    items.length ? items.map((i) => (withIds ? `- ${i.id}: ${i.text}` : `- ${i.text}`)).join('\n') : '(none)';
  const user = [
    '## Existing knowledge (ids usable in EVIDENCE lines)',
    list(input.knowledge, true),
    '',
    '## Pruned knowledge (rejected before; do not propose again)',
    list(input.tombstones, false),
    '',
    '## Trajectory',
    traj.text,
    '',
    'Now answer with ITEM / EVIDENCE lines, or NONE.',
  ].join('\n');
  return { system: EXTRACTION_SYSTEM_PROMPT, user, tokens: approxTokens(EXTRACTION_SYSTEM_PROMPT) + approxTokens(user), trajectoryTokens: traj.tokens, omittedSteps: traj.omittedSteps };
}

/** One `ITEM` line: its text, and the trajectory step it names (null when it names none). */
export interface ParsedItem { text: string; step: number | null }

/** Parsed model output. */
export interface ParsedExtraction { items: ParsedItem[]; evidence: Evidence[] }

/**
 * Parses extractor output. Everything up to the last `</think>` is dropped (an unclosed `<think>` drops all);
 * only `ITEM:` (optionally `ITEM [step]:`) and `EVIDENCE:` lines count, at most {@link MAX_EXTRACTED_ITEMS} items,
 * evidence only for `knownIds`.
 * Never throws; each dropped line is reported to `log`.
 */
export function parseExtractionOutput(raw: string, knownIds: ReadonlySet<string>, log: (line: string) => void = () => undefined): ParsedExtraction {
  let text = typeof raw === 'string' ? raw : '';
  const close = text.lastIndexOf('</think>');
  if (close >= 0) text = text.slice(close + '</think>'.length);
  else if (/<think>/i.test(text)) {
    log('extraction: reasoning block never closed; output ignored');
    return { items: [], evidence: [] };
  }
  const items: ParsedItem[] = [];
  const evidence: Evidence[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim().replace(/^(?:[-*+]|\d+[.)])\s+/, '').replace(/^\*\*(ITEM|EVIDENCE)\*\*/i, '$1');
    if (!line || /^none\.?$/i.test(line)) continue;
    const item = /^ITEM\s*(?:\[\s*(?:step\s*)?(\d{1,6})\s*\])?\s*:\s*(.*)$/i.exec(line);
    if (item) {
      const t = oneLine(item[2]).replace(/^["'`]+|["'`]+$/g, '');
      if (t.length < 8) log(`extraction: item too short, dropped: ${JSON.stringify(t)}`);
      else if (t.length > MAX_ITEM_CHARS) log(`extraction: item longer than ${MAX_ITEM_CHARS} characters, dropped`);
      else if (items.length >= MAX_EXTRACTED_ITEMS) log(`extraction: more than ${MAX_EXTRACTED_ITEMS} items, dropped: ${JSON.stringify(t.slice(0, 80))}`);
      else if (!items.some((i) => i.text === t)) items.push({ text: t, step: item[1] === undefined ? null : Number(item[1]) });
      continue;
    }
    const ev = /^EVIDENCE\s*:\s*\[?(K-[^\s\]]+)\]?\s+(helpful|harmful)\s*$/i.exec(line);
    if (ev) {
      const id = ev[1];
      if (!ITEM_ID_RE.test(id) || !knownIds.has(id)) log(`extraction: evidence for unknown id ${id} ignored`);
      else if (!evidence.some((e) => e.id === id)) evidence.push({ id, kind: ev[2].toLowerCase() as Evidence['kind'] });
      continue;
    }
    log(`extraction: unrecognized line dropped: ${JSON.stringify(line.slice(0, 120))}`);
  }
  return { items, evidence };
}

/** An item proposed by extraction, after redaction, safety checks and dedup. */
export interface ProposedItem {
  text: string;
  /** The episode step it was learned from, as the model named it (null: none named, or not a step of the episode). */
  step: number | null;
  flags: KnowledgeFlag[];
  duplicateOf: DuplicateMatch | null;
}

/** Options of {@link extractKnowledge}. */
export interface ExtractOptions {
  episode: Episode;
  knowledge?: KnowledgeItem[];
  tombstones?: KnowledgeItem[];
  baseUrl: string;
  apiKey: string;
  /**
   * The model to ask instead of the OpenAI-compatible endpoint at `baseUrl`: the runtime that ran the task when it is
   * not reached over HTTP (the embedded llama.cpp runtime). Its streamed turn is collected into one answer, and
   * `baseUrl` is never contacted. The backend was built for one model with its own token limit: `model` then only
   * names the model in the result, and `maxTokens` and `timeoutMs` are not used (`signal` still stops it).
   */
  backend?: ChatBackend;
  /** Model override; by default the model that ran the task (on-policy consistency). */
  model?: string;
  maxTokens?: number;
  trajectoryBudgetTokens?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  embed?: Embedder;
  /** Literal secrets to redact from proposals; the API key is added when it is 12+ characters (shorter ones would hit words). */
  knownSecrets?: readonly string[];
  log?: (line: string) => void;
}

/** Result of {@link extractKnowledge}. */
export interface ExtractResult {
  items: ProposedItem[];
  evidence: Evidence[];
  model: string;
  /** Tokens used (as reported by the provider, else estimated). */
  tokensUsed: number;
  promptTokens: number;
  /** Raw model output (for debugging; may contain reasoning). */
  raw: string;
  /** Set when the request failed; items and evidence are empty then. */
  error?: string;
}

/**
 * Runs one extraction against an OpenAI-compatible endpoint (non-streaming), or through `opts.backend` when given.
 * Never throws for model or network failures.
 */
export async function extractKnowledge(opts: ExtractOptions): Promise<ExtractResult> {
  const log = opts.log ?? (() => undefined);
  const knowledge = opts.knowledge ?? [];
  const tombs = opts.tombstones ?? [];
  const model = opts.model ?? opts.episode.provider.model;
  const prompt = buildExtractionPrompt({ episode: opts.episode, knowledge, tombstones: tombs, trajectoryBudgetTokens: opts.trajectoryBudgetTokens });
  let raw = '';
  let tokensUsed = 0;
  try {
    const answer = opts.backend ? await completeWithBackend(opts.backend, prompt, opts.signal) : await completeOverHttp(opts, model, prompt);
    raw = answer.text;
    // A runtime that reports no usage is still charged to the daily budget, by estimate.
    tokensUsed = answer.totalTokens ?? prompt.tokens + approxTokens(raw);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    log(`extraction: request failed: ${error}`);
    return { items: [], evidence: [], model, tokensUsed: 0, promptTokens: prompt.tokens, raw: '', error };
  }
  const parsed = parseExtractionOutput(raw, new Set(knowledge.map((i) => i.id)), log);
  const existing = [...knowledge.map((item) => ({ item, tombstone: false })), ...tombs.map((item) => ({ item, tombstone: true }))];
  const items: ProposedItem[] = [];
  for (const p of parsed.items) {
    const text = oneLine(redactKnowledgeText(p.text, [...(opts.knownSecrets ?? []), opts.apiKey].filter((k) => k && k.length >= 12)));
    let step = p.step;
    if (step !== null && step >= opts.episode.steps.length) {
      log(`extraction: step ${step} is not in the trajectory (${opts.episode.steps.length} steps); source set to the end`);
      step = null;
    }
    items.push({ text, step, flags: safetyFlags(text), duplicateOf: await findDuplicate(text, existing, opts.embed) });
  }
  return { items, evidence: parsed.evidence, model, tokensUsed, promptTokens: prompt.tokens, raw };
}

/** One non-streamed answer: its text and the tokens the provider reported (undefined when it reported none). */
interface Answer { text: string; totalTokens: number | undefined }

/** The extraction request to the OpenAI-compatible endpoint at `opts.baseUrl`. Throws on failure. */
async function completeOverHttp(opts: ExtractOptions, model: string, prompt: ExtractionPrompt): Promise<Answer> {
  const client = new OpenAI({ baseURL: opts.baseUrl, apiKey: opts.apiKey || 'none', maxRetries: 0, timeout: opts.timeoutMs ?? 120_000 });
  const res = await client.chat.completions.create(
    { model, messages: [{ role: 'system', content: prompt.system }, { role: 'user', content: prompt.user }], max_tokens: opts.maxTokens ?? 1024, stream: false },
    { signal: opts.signal },
  );
  return { text: res.choices?.[0]?.message?.content ?? '', totalTokens: res.usage?.total_tokens };
}

/** The extraction request as one turn of `backend` (no tools), its streamed text collected. Throws on failure. */
async function completeWithBackend(backend: ChatBackend, prompt: ExtractionPrompt, signal?: AbortSignal): Promise<Answer> {
  const turn = await backend.chat({ messages: [{ role: 'system', content: prompt.system }, { role: 'user', content: prompt.user }] }, {}, signal);
  return { text: turn.text, totalTokens: turn.usage?.totalTokens };
}

/**
 * Builds an {@link Embedder} over the provider's `/embeddings` endpoint (throws when the provider has none, or when a
 * request takes longer than `timeoutMs`).
 */
export function openAiEmbedder(baseUrl: string, apiKey: string, model: string, timeoutMs = 30_000): Embedder {
  const client = new OpenAI({ baseURL: baseUrl, apiKey: apiKey || 'none', maxRetries: 0, timeout: timeoutMs });
  return async (texts) => {
    const res = await client.embeddings.create({ model, input: texts, encoding_format: 'float' });
    return res.data.sort((a, b) => a.index - b.index).map((d) => d.embedding as number[]);
  };
}

/** Persisted state of a {@link DailyTokenBudget}. */
export interface DailyTokenState { day: string; used: number }

/** Caps extraction tokens per UTC day; state is loaded and saved through caller-supplied functions. */
export class DailyTokenBudget {
  constructor(
    private readonly limit: number,
    private readonly load: () => Promise<DailyTokenState | null>,
    private readonly save: (state: DailyTokenState) => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async state(): Promise<DailyTokenState> {
    const day = this.now().toISOString().slice(0, 10);
    const s = await this.load();
    return s && s.day === day ? s : { day, used: 0 };
  }

  /** Tokens still available today. */
  async remaining(): Promise<number> {
    return Math.max(0, this.limit - (await this.state()).used);
  }

  /** Whether `tokens` more fit in today's budget. */
  async canSpend(tokens: number): Promise<boolean> {
    return (await this.remaining()) >= tokens;
  }

  /** Records tokens spent today. */
  async record(tokens: number): Promise<void> {
    const s = await this.state();
    await this.save({ day: s.day, used: s.used + Math.max(0, tokens) });
  }
}
