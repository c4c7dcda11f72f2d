/** Typed access to the `oel.*` settings; the readers themselves are pure and live in settings.ts. */
import * as vscode from 'vscode';
import type { ApprovalPolicy, RetentionPolicy } from './core';
import { positive, readKnowledgeSettings, readLlamaCpp, readPolicy, readProvider, readRetention, settingGetter, type KnowledgeSettings, type LlamaCppSettings, type ProviderKind, type SettingGetter } from './settings';

export type { ExtractionMode, KnowledgeSettings, SettingGetter } from './settings';
export { positive, readKnowledgeSettings, readPolicy, readRetention } from './settings';

/** The extension's settings, read fresh on every access (settings can change at any time). */
export class Config {
  static readonly section = 'oel';
  private get: SettingGetter = (key, fallback) => {
    const c = vscode.workspace.getConfiguration(Config.section);
    return settingGetter((k, f) => c.get(k, f), (k) => c.inspect(k))(key, fallback);
  };

  get providerKind(): ProviderKind { return readProvider(this.get).kind; }
  get baseUrl(): string { return readProvider(this.get).baseUrl; }
  /** The embedded llama.cpp runtime's settings (used when `providerKind` is `llamacpp`). */
  get llamacpp(): LlamaCppSettings { return readLlamaCpp(this.get); }
  get model(): string { return readProvider(this.get).model; }
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
