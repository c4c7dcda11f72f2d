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
import { applyingAdapter, nextAdapterModelState, sameOrigin, parseAdapterModelState, type AdapterModelState, type ModelContext } from './adapterModel';

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
  /**
   * The adapter settings and model of the last apply(): a change of any of them hands the active version over again
   * (a new runtime, address or base, or a limit raised after a refusal).
   */
  private appliedKey: string | undefined;

  constructor(private readonly ctx: OelContext) {}

  /** Adds a runtime built elsewhere (the embedded provider registers 'embedded'); applied at once if it is chosen. */
  register(target: string, factory: RuntimeFactory): vscode.Disposable {
    this.factories.set(target, factory);
    // The chosen runtime became available (or another one replaced it): the active version goes to it.
    this.apply({ handOver: this.settings.runtime === target });
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
  apply(o: { handOver?: boolean } = {}): void {
    const target = this.settings.runtime;
    const key = JSON.stringify([this.settings, this.ctx.config.configuredModel]);
    const changed = key !== this.appliedKey || o.handOver === true;
    this.appliedKey = key;
    const handOver = () => setTimeout(() => void this.reactivate(key).catch((e: unknown) => this.ctx.log.warn(`the active adapter could not be handed to ${target}: ${(e as Error).message}`)), 0);
    if (target === 'stored') {
      this.ctx.team?.setRuntime(undefined);
      this.changed.fire();
      // Switched back to "stored" (now, or while VS Code was closed): the active version is recorded as not taken, so
      // the knowledge it absorbed returns to the prompt. A version already recorded as stored is left alone.
      if (changed) handOver();
      return;
    }
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
        // Settings changed meanwhile: this runtime is no longer the one in use, and its answer says nothing about it.
        if (key !== this.appliedKey) return res;
        const previous = this.state();
        const next = nextAdapterModelState(previous, a, res, { ...this.modelContext(), at: new Date().toISOString() });
        if (next !== previous) await this.record(next);
        return res;
      },
    };
    this.ctx.team?.setRuntime(runtime);
    this.changed.fire();
    // A version made active before this runtime was chosen (or before VS Code started, when a runtime such as vLLM
    // may have restarted and forgotten it) is handed to it now, in the background.
    if (changed) handOver();
  }

  /**
   * Activates the team's active version again on the current runtime (verified again first, as every activation).
   * Skipped when the settings changed since (`key`): the apply() of the new ones hands over itself.
   */
  private async reactivate(key: string): Promise<void> {
    const session = await this.ctx.team?.session();
    if (!session || key !== this.appliedKey) return;
    const core = await loadCore();
    const active = await core.readActiveAdapter(session.adaptersRoot, session.server);
    if (!active || key !== this.appliedKey) return;
    if (session.opts.runtime.target === 'stored' && active.target === 'stored') return;
    const now = await core.activateAdapter({ root: session.adaptersRoot, server: session.server, version: active.version, pin: session.opts.pin, runtime: session.opts.runtime });
    this.ctx.log.info(`active adapter version ${now.version} handed to ${now.target}: ${now.taken ? 'taken' : 'not taken'}`);
  }

  dispose(): void { this.changed.dispose(); }
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
