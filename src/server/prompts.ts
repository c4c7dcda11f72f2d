import OpenAI from 'openai';
import { join } from 'node:path';
import type { PromptPair } from '../core/protocol/trainer';
import type { ChatMessage, ModelChat } from './chat';
import type { ServerConfig } from './config';
import type { TrainerRunner } from './trainerRunner';

/** The student's system message: what the deployed model sees, with no knowledge. */
export const BASE_SYSTEM = 'You are a careful coding assistant working in the user\'s repository.';

/** The preamble that introduces knowledge to the teacher, worded as the method prescribes. */
export const KNOWLEDGE_PREAMBLE =
  'The following is knowledge learned from past experience on this team\'s tasks. It may be incomplete or wrong; ' +
  'apply it where it helps and ignore it where it does not.';

/** Generic prompts unrelated to any team knowledge, used to measure drift (OOD divergence new vs previous model). */
export const OOD_PROMPTS = [
  'Write a haiku about autumn rain.',
  'What is the capital of Australia, and why is it not Sydney?',
  'Explain photosynthesis to a ten-year-old in three sentences.',
  'Give me a simple recipe for pancakes.',
  'Summarize the plot of Romeo and Juliet in two sentences.',
  'What is 17 multiplied by 23? Show your steps.',
  'Suggest three names for a friendly golden retriever.',
  'Translate "good morning, how are you?" into French and Spanish.',
];

/** Student/teacher token ids for one prompt text. */
export function promptPair(chat: ModelChat, id: string, userText: string, knowledge: string[]): PromptPair {
  const student: ChatMessage[] = [{ role: 'system', content: BASE_SYSTEM }, { role: 'user', content: userText }];
  const teacherSystem = `${BASE_SYSTEM}\n\n${KNOWLEDGE_PREAMBLE}\n${knowledge.map((k) => `- ${k}`).join('\n')}`;
  const teacher: ChatMessage[] = [{ role: 'system', content: teacherSystem }, { role: 'user', content: userText }];
  return { id, student: chat.encodeChat(student), teacher: chat.encodeChat(teacher) };
}

const SYNTH_INSTRUCTION = 'Write one short, realistic request a developer might give a coding assistant in a situation where the following advice matters. Reply with the request only, without mentioning the advice.';

/** A synthesized request is usable if it is mostly printable text of a sensible length. */
function usable(text: string): boolean {
  const t = text.trim();
  if (t.length < 12 || t.length > 1000) return false;
  const printable = t.replace(/[^\p{L}\p{N}\p{P}\s]/gu, '').length;
  return printable / t.length > 0.9 && /\p{L}{3,}/u.test(t);
}

/** Fallback when the model's synthesis is unusable: a neutral request naming the item's topic, not the advice. */
function templatePrompt(item: string, n: number): string {
  const topic = item.split(/\s+/).slice(0, 8).join(' ').replace(/[.:;,]+$/, '');
  const forms = [
    `I'm working on something where this comes up: "${topic}". Can you help me plan and implement the change?`,
    `Please review my approach to a task involving "${topic}" and fix whatever is wrong.`,
    `Walk me through doing a task related to "${topic}" in this codebase, step by step.`,
  ];
  return forms[n % forms.length];
}

/**
 * Synthesizes user requests from admitted knowledge items with the base model itself (trainer `generate`) or an
 * admin-configured OpenAI-compatible endpoint, falling back to templates where the output is unusable.
 */
export async function synthesizePrompts(
  items: string[], chat: ModelChat, cfg: ServerConfig, runner: TrainerRunner, workDir: string, signal: AbortSignal,
  onPid: (pid: number | null) => void,
): Promise<string[]> {
  const per = cfg.prompts.per_item;
  const wanted: Array<{ id: string; item: string; n: number }> = [];
  items.forEach((item, i) => { for (let n = 0; n < per; n++) wanted.push({ id: `s${i}-${n}`, item, n }); });
  if (wanted.length === 0) return [];
  const texts = new Map<string, string>();
  const messages = (item: string): ChatMessage[] => [{ role: 'system', content: SYNTH_INSTRUCTION }, { role: 'user', content: item }];
  if (cfg.prompts.synthesis === 'trainer') {
    const job = runner.generate({
      schema: 'oel.trainer.generate/v1', base_model: cfg.model_dir, adapter: null, seed: cfg.trainer.seed,
      device: cfg.trainer.device, dtype: cfg.trainer.dtype,
      sampling: { temperature: 0.9, top_p: 0.95, max_new_tokens: cfg.prompts.synthesis_max_new_tokens },
      stop_token_ids: chat.stopTokenIds,
      prompts: wanted.map((w) => ({ id: w.id, ids: chat.encodeChat(messages(w.item)) })),
      output_file: join(workDir, 'synthesized.json'),
    }, workDir, signal);
    onPid(job.pid);
    for (const [id, ids] of await job.result) texts.set(id, chat.decode(ids));
  } else if (cfg.prompts.synthesis === 'openai' && cfg.prompts.openai) {
    const o = cfg.prompts.openai;
    const client = new OpenAI({ baseURL: o.base_url, apiKey: process.env[o.api_key_env] ?? 'none' });
    for (const w of wanted) {
      const r = await client.chat.completions.create(
        { model: o.model, messages: messages(w.item), max_tokens: cfg.prompts.synthesis_max_new_tokens, temperature: 0.9 },
        { signal },
      );
      texts.set(w.id, r.choices[0]?.message?.content ?? '');
    }
  }
  return wanted.map((w) => { const t = texts.get(w.id) ?? ''; return usable(t) ? t.trim() : templatePrompt(w.item, w.n); });
}

/** Deterministic shuffle (mulberry32) so a round's train/held-out split is reproducible from its seed. */
export function seededShuffle<T>(xs: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rnd = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

/** Splits prompt texts into train and held-out sets (at least one of each when there are two or more). */
export function splitPrompts(texts: string[], fraction: number, seed: number): { train: string[]; heldout: string[] } {
  const unique = [...new Set(texts)];
  const shuffled = seededShuffle(unique, seed);
  if (shuffled.length < 2) return { train: shuffled, heldout: [...shuffled] };
  const nHeld = Math.min(shuffled.length - 1, Math.max(1, Math.round(shuffled.length * fraction)));
  return { heldout: shuffled.slice(0, nHeld), train: shuffled.slice(nHeld) };
}
