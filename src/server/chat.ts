import { readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';

/** One chat message as chat templates expect it. */
export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }

/**
 * The model folder's own tokenizer and chat template (tokenizer.json, tokenizer_config.json, generation_config.json),
 * so the ids the trainer sees are exactly those the model was trained with. The trainer takes ids, never text.
 */
export class ModelChat {
  readonly stopTokenIds: number[];
  readonly padTokenId: number | null;
  readonly baseModelId: string;
  private readonly tokenizer: Tokenizer;
  private readonly template: Template;
  private readonly specials: Record<string, unknown>;

  constructor(readonly modelDir: string) {
    const tj = readJson(join(modelDir, 'tokenizer.json'));
    const tc = readJson(join(modelDir, 'tokenizer_config.json'));
    if (typeof tc.chat_template !== 'string') throw new Error(`${modelDir}/tokenizer_config.json has no chat_template string`);
    this.tokenizer = new Tokenizer(tj, tc);
    this.template = new Template(tc.chat_template);
    this.specials = { bos_token: tokenText(tc.bos_token), eos_token: tokenText(tc.eos_token) };
    const stops = new Set<number>();
    const eos = this.tokenId(tokenText(tc.eos_token));
    if (eos !== null) stops.add(eos);
    const genPath = join(modelDir, 'generation_config.json');
    if (existsSync(genPath)) {
      const g = readJson(genPath).eos_token_id;
      for (const id of Array.isArray(g) ? g : [g]) if (typeof id === 'number') stops.add(id);
    }
    if (stops.size === 0) throw new Error(`${modelDir}: no eos token in tokenizer_config.json or generation_config.json`);
    this.stopTokenIds = [...stops];
    this.padTokenId = this.tokenId(tokenText(tc.pad_token));
    const cfg = existsSync(join(modelDir, 'config.json')) ? readJson(join(modelDir, 'config.json')) : {};
    this.baseModelId = typeof cfg._name_or_path === 'string' && cfg._name_or_path ? cfg._name_or_path : basename(modelDir);
  }

  /** Renders the conversation with the model's template (generation prompt appended) and tokenizes it. */
  encodeChat(messages: ChatMessage[]): number[] {
    const text = this.template.render({ messages, add_generation_prompt: true, ...this.specials });
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }

  private tokenId(text: string | null): number | null {
    if (!text) return null;
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    return ids.length === 1 ? ids[0] : null;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- HF config files are untyped JSON
function readJson(path: string): Record<string, any> {
  if (!existsSync(path)) throw new Error(`model folder is missing ${path}`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** tokenizer_config.json writes special tokens either as strings or as `{content: ...}` objects. */
function tokenText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return null;
}
