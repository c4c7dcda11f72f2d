/** Typed access to the `oel.*` settings. The pure helpers take a getter so they can be unit-tested without VS Code. */
import * as vscode from 'vscode';
import type { ApprovalPolicy, RetentionPolicy } from './core';

/** Reads one setting; `vscode.WorkspaceConfiguration.get` fits. */
export type SettingGetter = <T>(key: string, fallback: T) => T;

const MODES = new Set(['ask', 'auto']);

/** Approval policy from `oel.approval.*`; anything invalid falls back to the safe default. */
export function readPolicy(get: SettingGetter): ApprovalPolicy {
  const mode = (key: string, fallback: 'ask' | 'auto') => {
    const v = get<string>(key, fallback);
    return (MODES.has(v) ? v : fallback) as 'ask' | 'auto';
  };
  return { read: mode('approval.read', 'auto'), edit: mode('approval.edit', 'ask'), command: mode('approval.command', 'ask') };
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

/** The extension's settings, read fresh on every access (settings can change at any time). */
export class Config {
  static readonly section = 'oel';
  private get: SettingGetter = (key, fallback) => vscode.workspace.getConfiguration(Config.section).get(key, fallback);

  get baseUrl(): string { return this.get('provider.baseUrl', 'http://127.0.0.1:11434/v1').trim(); }
  get model(): string { return this.get('provider.model', '').trim(); }
  get requestTimeoutMs(): number { return positive(this.get('provider.requestTimeoutSeconds', 120), 120) * 1000; }
  get maxSteps(): number { return Math.floor(positive(this.get('agent.maxSteps', 25), 25)); }
  get commandTimeoutMs(): number { return positive(this.get('agent.commandTimeoutSeconds', 120), 120) * 1000; }
  get policy(): ApprovalPolicy { return readPolicy(this.get); }
  get knowledge(): KnowledgeSettings { return readKnowledgeSettings(this.get); }
  get retention(): RetentionPolicy { return readRetention(this.get); }

  /** Whether a configuration change event touches our settings (optionally one sub-key). */
  static affects(e: vscode.ConfigurationChangeEvent, key?: string): boolean {
    return e.affectsConfiguration(key ? `${Config.section}.${key}` : Config.section);
  }
}
