/**
 * The `oel.*` settings as plain data: pure readers over a getter, so they can be unit-tested without VS Code
 * (config.ts adapts `vscode.workspace.getConfiguration` to them).
 *
 * Some settings decide where the user's API key goes, what runs without asking, and what enters the prompt. A
 * repository must not be able to change them through its `.vscode/settings.json`, so package.json gives them
 * `application` scope (VS Code then ignores workspace values) and {@link settingGetter} reads them from the
 * user's own settings only, as a second line of defence that does not depend on the scope being honoured.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ApprovalPolicy } from '../core/tools/host';
import type { RetentionPolicy } from '../core/trajectory/store';

/** Reads one setting; `vscode.WorkspaceConfiguration.get` fits. */
export type SettingGetter = <T>(key: string, fallback: T) => T;

/** What `vscode.WorkspaceConfiguration.inspect` tells about one setting (the fields read here). */
export interface SettingInspection {
  defaultValue?: unknown;
  /** The user's settings (local, or the remote machine's user settings in a remote window). */
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * Settings (keys under `oel.`) that only the user's settings may set. package.json gives each `application` scope.
 * Not `machine`: in a remote window, and in code-server (whose browser is the local side), VS Code drops
 * machine-scoped values from the user's settings file, so the user could no longer set the model they use.
 */
export const USER_ONLY_SETTINGS: readonly string[] = [
  'provider.kind', 'provider.baseUrl', 'provider.model',
  'llamacpp.modelPath', 'llamacpp.contextSize', 'llamacpp.threads', 'llamacpp.gpuLayers', 'llamacpp.baseModelId', 'llamacpp.maxTokens',
  'approval.read', 'approval.edit', 'approval.command',
  'knowledge.autoAccept', 'knowledge.extractionModel', 'knowledge.embeddingModel',
  // Where adapters go and what they are sent to: a repository redirecting them could make the agent run on a model
  // (and send its requests to a server) the user never chose.
  'adapters.runtime', 'adapters.baseUrl', 'adapters.ollama.baseModel', 'adapters.vllm.maxLoraRank', 'adapters.vllm.adapterRoot',
];

/** Whether a key (under `oel.`) may only come from the user's settings. */
export function isUserOnly(key: string): boolean {
  return USER_ONLY_SETTINGS.includes(key);
}

/**
 * A getter that reads user-only settings from the user's value or the default, never from a workspace or folder
 * value; every other key goes to `get` (which merges workspace values as VS Code normally does).
 */
export function settingGetter(get: SettingGetter, inspect: (key: string) => SettingInspection | undefined): SettingGetter {
  return <T>(key: string, fallback: T): T => {
    if (!isUserOnly(key)) return get(key, fallback);
    const i = inspect(key);
    return (i?.globalValue ?? i?.defaultValue ?? fallback) as T;
  };
}

const MODES = new Set(['ask', 'auto']);

/** Approval policy from `oel.approval.*`; anything invalid falls back to the safe default. */
export function readPolicy(get: SettingGetter): ApprovalPolicy {
  const mode = (key: string, fallback: 'ask' | 'auto') => {
    const v = get<string>(key, fallback);
    return (MODES.has(v) ? v : fallback) as 'ask' | 'auto';
  };
  return { read: mode('approval.read', 'auto'), edit: mode('approval.edit', 'ask'), command: mode('approval.command', 'ask') };
}

/**
 * What an auto-approve toggle of the Agent view writes: `oel.approval.<category>` (a user-only setting, so the caller
 * writes it to the user's settings), or why it is refused. Turning one on is refused in an untrusted workspace;
 * turning one off is always allowed (it only makes the agent ask more).
 */
export function autoApproveChange(category: keyof ApprovalPolicy, auto: boolean, trusted: boolean): { key: string; value: 'auto' | 'ask' } | { refused: string } {
  if (auto && !trusted) return { refused: 'Auto-approve cannot be turned on in Restricted Mode: trust this workspace first.' };
  return { key: `approval.${category}`, value: auto ? 'auto' : 'ask' };
}

/** A positive number or the fallback. */
export function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Retention from `oel.history.*`; 0 (or invalid) means keep. */
export function readRetention(get: SettingGetter): RetentionPolicy {
  const days = get<number>('history.retentionDays', 0);
  const max = get<number>('history.maxEpisodes', 0);
  return {
    ...(typeof days === 'number' && days > 0 ? { maxDays: days } : {}),
    ...(typeof max === 'number' && max > 0 ? { maxEpisodes: Math.floor(max) } : {}),
  };
}

/** When knowledge is extracted after a task. */
export type ExtractionMode = 'off' | 'manual' | 'auto';

/** The `oel.knowledge.*` settings. */
export interface KnowledgeSettings {
  extraction: ExtractionMode;
  /** Another model for extraction; empty means the model that ran the task. */
  extractionModel: string;
  dailyTokenBudget: number;
  autoAccept: boolean;
  promptBudgetTokens: number;
  newItemScope: 'workspace' | 'user';
  /** Embeddings model for dedup; empty means the lexical measure. */
  embeddingModel: string;
}

/** Knowledge settings from `oel.knowledge.*`; anything invalid falls back to its default. */
export function readKnowledgeSettings(get: SettingGetter): KnowledgeSettings {
  const mode = get<string>('knowledge.extraction', 'auto');
  return {
    extraction: mode === 'off' || mode === 'manual' ? mode : 'auto',
    extractionModel: String(get('knowledge.extractionModel', '') ?? '').trim(),
    dailyTokenBudget: Math.floor(positive(get('knowledge.dailyTokenBudget', 200_000), 200_000)),
    autoAccept: get<unknown>('knowledge.autoAccept', false) === true,
    promptBudgetTokens: Math.floor(positive(get('knowledge.promptBudgetTokens', 2000), 2000)),
    newItemScope: get<string>('knowledge.newItemScope', 'workspace') === 'user' ? 'user' : 'workspace',
    embeddingModel: String(get('knowledge.embeddingModel', '') ?? '').trim(),
  };
}

/** Which provider runs the agent: an OpenAI-compatible server, or the embedded llama.cpp runtime. */
export type ProviderKind = 'openai' | 'llamacpp';

/** Provider settings read from the user's settings only. */
export interface ProviderSettings { kind: ProviderKind; baseUrl: string; model: string }

/**
 * `oel.provider.kind`, `oel.provider.baseUrl` and `oel.provider.model`, trimmed. With the embedded runtime the model
 * is the GGUF file's name (empty when no file is set, which the UI treats as "no model").
 */
export function readProvider(get: SettingGetter): ProviderSettings {
  const kind: ProviderKind = get<unknown>('provider.kind', 'openai') === 'llamacpp' ? 'llamacpp' : 'openai';
  const baseUrl = String(get('provider.baseUrl', 'http://127.0.0.1:11434/v1') ?? '').trim();
  if (kind === 'llamacpp') {
    const path = readLlamaCpp(get).modelPath;
    return { kind, baseUrl, model: path ? path.split(/[\\/]/).pop() ?? path : '' };
  }
  return { kind, baseUrl, model: String(get('provider.model', '') ?? '').trim() };
}

/** The `oel.llamacpp.*` settings of the embedded runtime. */
export interface LlamaCppSettings {
  /** Absolute path of the GGUF model file ('' when unset or not absolute). */
  modelPath: string;
  contextSize: number;
  /** 0: llama.cpp decides. */
  threads: number;
  /** Layers offloaded to a GPU; 0 runs on the CPU. Ignored without a GPU. */
  gpuLayers: number;
  /** The model's identity for adapter checks, when the GGUF's metadata lacks it ('' = from the file). */
  baseModelId: string;
  /** Most tokens per turn; 0: a quarter of the context, at most 4096. */
  maxTokens: number;
}

const int = (v: unknown, fallback: number, min: number, max: number) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback);

/**
 * `oel.llamacpp.*`, each invalid value replaced by its default. `~/` is the user's home folder. A relative model path is refused (''): it would be
 * resolved against whatever folder the process runs in, which the user did not choose.
 */
export function readLlamaCpp(get: SettingGetter): LlamaCppSettings {
  const raw = String(get('llamacpp.modelPath', '') ?? '').trim();
  const path = /^~[\\/]/.test(raw) ? join(homedir(), raw.slice(2)) : raw;
  return {
    modelPath: /^(?:\/|[A-Za-z]:[\\/]|\\\\)/.test(path) ? path : '',
    contextSize: int(get('llamacpp.contextSize', 8192), 8192, 256, 1_048_576),
    threads: int(get('llamacpp.threads', 0), 0, 0, 1024),
    gpuLayers: int(get('llamacpp.gpuLayers', 0), 0, 0, 10_000),
    baseModelId: String(get('llamacpp.baseModelId', '') ?? '').trim(),
    maxTokens: int(get('llamacpp.maxTokens', 0), 0, 0, 131_072),
  };
}

/** Where verified adapters are installed (`oel.adapters.runtime`). */
export type AdapterRuntimeTarget = 'stored' | 'vllm' | 'ollama' | 'llamacppServer' | 'embedded';
const RUNTIME_TARGETS: readonly AdapterRuntimeTarget[] = ['stored', 'vllm', 'ollama', 'llamacppServer', 'embedded'];
/** vLLM's allowed `--max-lora-rank` values. */
const VLLM_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512];

/** The `oel.adapters.*` settings, user-only like the provider's. */
export interface AdapterSettings {
  runtime: AdapterRuntimeTarget;
  /** The runtime's OpenAI-compatible base URL; the provider's when the setting is empty. */
  baseUrl: string;
  /** Ollama: the model the adapted one is created FROM; the provider's model when empty. */
  ollamaBaseModel: string;
  vllmMaxLoraRank: number;
  /** vLLM: the adapters folder as vLLM's machine sees it; empty means the local path. */
  vllmAdapterRoot: string;
}

/** Adapter settings from `oel.adapters.*` (user-only); anything invalid falls back to its default. */
export function readAdapterSettings(get: SettingGetter): AdapterSettings {
  const runtime = get<string>('adapters.runtime', 'stored') as AdapterRuntimeTarget;
  const provider = readProvider(get);
  const rank = get<number>('adapters.vllm.maxLoraRank', 16);
  return {
    runtime: RUNTIME_TARGETS.includes(runtime) ? runtime : 'stored',
    baseUrl: String(get('adapters.baseUrl', '') ?? '').trim() || provider.baseUrl,
    ollamaBaseModel: String(get('adapters.ollama.baseModel', '') ?? '').trim() || provider.model,
    vllmMaxLoraRank: VLLM_RANKS.includes(rank) ? rank : 16,
    vllmAdapterRoot: String(get('adapters.vllm.adapterRoot', '') ?? '').trim(),
  };
}
