/**
 * Builds the adapter runtime that `oel.adapters.runtime` names and hands it to the team connection
 * (`ctx.team.setRuntime`), again whenever an `oel.adapters.*` or provider setting changes. Each runtime is wrapped so
 * that what it answered (the model id the agent must now send, and the version) is kept in global state: the agent,
 * the status bar and the episode header read it through {@link AdapterRuntimes.active} (see adapterModel.ts for why
 * the user's `oel.provider.model` is not rewritten).
 *
 * Runtimes that live elsewhere in the extension register themselves with {@link AdapterRuntimes.register}: the
 * embedded llama.cpp provider calls `ctx.adapters.register('embedded', factory)` at activation.
 */
import * as vscode from 'vscode';
import { Config } from '../config';
import type { OelContext } from '../context';
import { loadCore, type AdapterActivation, type AdapterRuntime } from '../core';
import type { AdapterSettings } from '../settings';
import { applyingAdapter, parseAdapterModelState, type AdapterModelState, type ModelContext } from './adapterModel';

const STATE_KEY = 'oel.adapters.model';

/** What a factory gets: the settings, and the state a previous activation left (e.g. the adapter vLLM holds). */
export interface RuntimeFactoryInput {
  settings: AdapterSettings;
  /** `oel.provider.model` as the user set it: the base model the adapter goes on. */
  configuredModel: string;
  previous: AdapterModelState | undefined;
  apiKey: string | undefined;
}
/** Builds the runtime of one `oel.adapters.runtime` value. */
export type RuntimeFactory = (input: RuntimeFactoryInput) => AdapterRuntime | Promise<AdapterRuntime>;

/** The runtime's answer as the clients give it: `model` is the id requests use while the adapter is active. */
type Answer = Awaited<ReturnType<AdapterRuntime['activate']>> & { model?: string };

/** The built-in factories: HTTP clients of runtimes people already run. */
const BUILT_IN: Record<string, RuntimeFactory> = {
  vllm: async ({ settings, configuredModel, previous, apiKey }) => new (await loadCore()).VllmRuntime({
    baseUrl: settings.baseUrl, baseModel: configuredModel, maxLoraRank: settings.vllmMaxLoraRank,
    remoteRoot: settings.vllmAdapterRoot || undefined, loaded: previous?.target === 'vllm' ? previous.model : undefined, apiKey,
  }),
  ollama: async ({ settings, previous }) => new (await loadCore()).OllamaRuntime({
    baseUrl: settings.baseUrl, baseModel: settings.ollamaBaseModel, created: previous?.target === 'ollama' ? previous.model : undefined,
  }),
  llamacppServer: async ({ settings, apiKey }) => new (await loadCore()).LlamaServerRuntime({ baseUrl: settings.baseUrl, apiKey }),
};

export class AdapterRuntimes implements vscode.Disposable {
  private readonly factories = new Map<string, RuntimeFactory>(Object.entries(BUILT_IN));
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired when the active adapter (or the model id it brings) changed. */
  readonly onDidChange = this.changed.event;
  private generation = 0;
  /** Runtime, address and model of the last apply(): a change of any of them hands the active version over again. */
  private appliedKey: string | undefined;

  constructor(private readonly ctx: OelContext) {}

  /** Adds a runtime built elsewhere (the embedded provider registers 'embedded'); applied at once if it is chosen. */
  register(target: string, factory: RuntimeFactory): vscode.Disposable {
    this.factories.set(target, factory);
    this.apply();
    return new vscode.Disposable(() => { if (this.factories.get(target) === factory) { this.factories.delete(target); this.apply(); } });
  }

  private get settings(): AdapterSettings { return this.ctx.config.adapters; }

  private modelContext(): ModelContext {
    const s = this.settings;
    return { configuredModel: this.ctx.config.configuredModel, target: s.runtime, baseUrl: s.baseUrl };
  }

  /** What the last activation left in global state (whether or not it still applies). */
  state(): AdapterModelState | undefined {
    return parseAdapterModelState(this.ctx.ext.globalState.get(STATE_KEY));
  }

  /** The adapter the agent runs with now: taken by the chosen runtime, for the configured model; else undefined. */
  active(): AdapterModelState | undefined {
    return applyingAdapter(this.state(), this.modelContext());
  }

  private async record(state: AdapterModelState | undefined): Promise<void> {
    await this.ctx.ext.globalState.update(STATE_KEY, state);
    this.changed.fire();
  }

  /**
   * Builds the chosen runtime and gives it to the team connection. The runtime is created on first use (the core is
   * loaded lazily); "stored" leaves the team connection's stored-only default.
   */
  apply(): void {
    const target = this.settings.runtime;
    const gen = ++this.generation;
    const key = `${target} ${this.settings.baseUrl} ${this.ctx.config.configuredModel}`;
    const changed = key !== this.appliedKey;
    this.appliedKey = key;
    if (target === 'stored') { this.ctx.team?.setRuntime(undefined); this.changed.fire(); return; }
    let built: Promise<AdapterRuntime> | undefined;
    const inner = () => built ??= (async () => {
      const factory = this.factories.get(target);
      if (!factory) return unavailable(target);
      const s = this.settings;
      // The provider's API key goes only to the provider's own server, never to another address set for adapters.
      const apiKey = sameOrigin(s.baseUrl, this.ctx.config.baseUrl) ? await this.ctx.apiKey() : undefined;
      return factory({ settings: s, configuredModel: this.ctx.config.configuredModel, previous: this.state(), apiKey });
    })();
    const runtime: AdapterRuntime = {
      target,
      activate: async (a: AdapterActivation | null) => {
        const res = (await (await inner()).activate(a)) as Answer;
        this.ctx.log.info(`adapter runtime ${target}: ${res.message}`);
        if (gen !== this.generation) return res; // settings changed meanwhile: this runtime is no longer the one in use
        if (a && res.taken) {
          const now = this.modelContext();
          await this.record({ target, baseUrl: now.baseUrl, forModel: now.configuredModel, server: a.server, version: a.version, ...(res.model ? { model: res.model } : {}), at: new Date().toISOString() });
        } else if (!a) {
          await this.record(undefined);
        }
        // A refused version leaves the state as it was: the runtime still serves what it served before.
        return res;
      },
    };
    this.ctx.team?.setRuntime(runtime);
    this.changed.fire();
    // A version made active before this runtime was chosen (or before VS Code started, when a runtime such as vLLM
    // may have restarted and forgotten it) is handed to it now, in the background.
    if (changed) setTimeout(() => void this.reactivate(gen).catch((e: unknown) => this.ctx.log.warn(`the active adapter could not be handed to ${target}: ${(e as Error).message}`)), 0);
  }

  /** Activates the team's active version again on the current runtime (verified again first, as every activation). */
  private async reactivate(gen: number): Promise<void> {
    const session = await this.ctx.team?.session();
    if (!session || gen !== this.generation) return;
    const core = await loadCore();
    const active = await core.readActiveAdapter(session.adaptersRoot, session.server);
    if (!active || gen !== this.generation) return;
    const now = await core.activateAdapter({ root: session.adaptersRoot, server: session.server, version: active.version, pin: session.opts.pin, runtime: session.opts.runtime });
    this.ctx.log.info(`active adapter version ${now.version} handed to ${now.target}: ${now.taken ? 'taken' : 'not taken'}`);
  }

  dispose(): void { this.changed.dispose(); }
}

function sameOrigin(a: string, b: string): boolean {
  try { return new URL(a).origin === new URL(b).origin; } catch { return false; }
}

/** The answer of a runtime that is chosen but not available in this build (e.g. embedded before it is registered). */
function unavailable(target: string): AdapterRuntime {
  return {
    target,
    activate: async (a) => ({
      taken: false, target,
      message: a ? `The adapter runtime "${target}" is not available in this version of OEL Agent; adapter version ${a.version} is stored and the model is unchanged. Choose another one in "oel.adapters.runtime".` : 'No adapter is active.',
    }),
  };
}

/** Creates the runtimes, applies the current settings and re-applies on every change of them. */
export function registerAdapterRuntimes(ctx: OelContext): AdapterRuntimes {
  const runtimes = ctx.own(new AdapterRuntimes(ctx));
  ctx.adapters = runtimes;
  ctx.config.modelOverride = () => runtimes.active()?.model;
  runtimes.apply();
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => {
    if (Config.affects(e, 'adapters') || Config.affects(e, 'provider.baseUrl') || Config.affects(e, 'provider.model')) runtimes.apply();
  }));
  return runtimes;
}
