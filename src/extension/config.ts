/** Typed access to the `oel.*` settings; the readers themselves are pure and live in settings.ts. */
import * as vscode from 'vscode';
import type { ApprovalPolicy, RetentionPolicy } from './core';
import { positive, readAdapterSettings, readKnowledgeSettings, readLlamaCpp, readPolicy, readProvider, readRetention, settingGetter, type AdapterSettings, type KnowledgeSettings, type LlamaCppSettings, type ProviderKind, type SettingGetter } from './settings';

export type { AdapterSettings, ExtractionMode, KnowledgeSettings, SettingGetter } from './settings';
export { positive, readKnowledgeSettings, readPolicy, readRetention } from './settings';

/** The extension's settings, read fresh on every access (settings can change at any time). */
export class Config {
  static readonly section = 'oel';
  private get: SettingGetter = (key, fallback) => {
    const c = vscode.workspace.getConfiguration(Config.section);
    return settingGetter((k, f) => c.get(k, f), (k) => c.inspect(k))(key, fallback);
  };

  /**
   * Set by the adapter runtimes (runtime/adapterRuntimes.ts): the model id an active adapter is served under, or
   * undefined. The user's `oel.provider.model` itself is never rewritten (see runtime/adapterModel.ts).
   */
  modelOverride: (() => string | undefined) | undefined;

  get providerKind(): ProviderKind { return readProvider(this.get).kind; }
  get baseUrl(): string { return readProvider(this.get).baseUrl; }
  /** The embedded llama.cpp runtime's settings (used when `providerKind` is `llamacpp`). */
  get llamacpp(): LlamaCppSettings { return readLlamaCpp(this.get); }
  /** The model id the agent sends: the active adapter's model while one applies, else `oel.provider.model`. */
  get model(): string { return this.modelOverride?.() ?? this.configuredModel; }
  /** `oel.provider.model` as the user set it. */
  get configuredModel(): string { return readProvider(this.get).model; }
  get adapters(): AdapterSettings { return readAdapterSettings(this.get); }
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
