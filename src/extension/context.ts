/**
 * The extension's context object: owns every disposable, the log, the settings, the secret (API key), the trajectory
 * store and the knowledge slot. Each `registerX(ctx)` in extension.ts hangs its pieces on it.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Config } from './config';
import { loadCore, type KnowledgeProvider, type LocalModel, type TrajectoryStore } from './core';
import type { AdapterRuntimes } from './runtime/adapterRuntimes';
import type { TeamConnection } from './team/teamConnection';

const API_KEY_SECRET = 'oel.provider.apiKey';

/** Shared state of the activated extension. */
export class OelContext implements vscode.Disposable {
  readonly config = new Config();
  readonly log: vscode.LogOutputChannel;
  /** Fired after a task ended or history changed, so the history view and retention can react. */
  readonly onDidChangeHistory: vscode.Event<void>;
  /** Fired when the run state changes. */
  readonly onDidChangeRunning: vscode.Event<boolean>;
  /** Fired when a task run (a task or a follow-up) ended and its trajectory is on disk; learning listens. */
  readonly onDidFinishTask: vscode.Event<string>;
  /** Fired when Test Connection reached the model and it called a tool; the walkthrough listens. */
  readonly onDidConnect: vscode.Event<void>;
  private readonly historyEmitter = new vscode.EventEmitter<void>();
  private readonly finishEmitter = new vscode.EventEmitter<string>();
  private readonly runningEmitter = new vscode.EventEmitter<boolean>();
  private readonly connectEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private storePromise: Promise<TrajectoryStore> | null = null;
  private cachedKey: string | undefined;
  private running = false;
  /**
   * The knowledge slot: the knowledge feature (src/extension/knowledge/**) sets it at activation; the agent passes
   * it to the core, which works without it.
   */
  knowledge: KnowledgeProvider | undefined;
  /** The joined team (src/extension/team/**), set at activation; team commands and views share it. */
  team: TeamConnection | undefined;
  /** Where adapters go (src/extension/runtime/**), set at activation after `team`; the embedded provider registers with it. */
  adapters: AdapterRuntimes | undefined;
  private local: Promise<LocalModel> | null = null;

  /**
   * The embedded llama.cpp runtime: one local model process per window, started on first use and kept (with its
   * loaded model) between tasks; ended with the window.
   */
  localModel(): Promise<LocalModel> {
    this.local ??= loadCore().then(({ LocalModel }) => {
      const lm = new LocalModel({ workerPath: join(this.ext.extensionPath, 'dist', 'llama-worker.mjs'), log: (m) => this.log.warn(m) });
      this.own({ dispose: () => lm.dispose() });
      return lm;
    });
    return this.local;
  }

  constructor(readonly ext: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('OEL Agent', { log: true });
    this.onDidChangeHistory = this.historyEmitter.event;
    this.onDidChangeRunning = this.runningEmitter.event;
    this.onDidFinishTask = this.finishEmitter.event;
    this.onDidConnect = this.connectEmitter.event;
    this.disposables.push(this.log, this.historyEmitter, this.runningEmitter, this.finishEmitter, this.connectEmitter);
    ext.subscriptions.push(this);
  }

  /** Registers disposables for deactivation. */
  own<T extends vscode.Disposable>(item: T, ...more: vscode.Disposable[]): T {
    this.disposables.push(item, ...more);
    return item;
  }

  /** Registers a command, owned by the context; errors are logged and shown, never unhandled. */
  command(id: string, run: (...args: never[]) => unknown): void {
    this.own(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (run as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        this.log.error(`${id} failed: ${(e as Error).message}`);
        void vscode.window.showErrorMessage(`OEL Agent: ${(e as Error).message}`, 'Show Log').then((a) => a && this.log.show());
      }
    }));
  }

  get trusted(): boolean { return vscode.workspace.isTrusted; }

  get isRunning(): boolean { return this.running; }
  setRunning(running: boolean): void {
    if (this.running === running) return;
    this.running = running;
    void vscode.commands.executeCommand('setContext', 'oel.running', running);
    this.runningEmitter.fire(running);
  }

  historyChanged(): void { this.historyEmitter.fire(); }
  /** A task run ended and its steps are on disk. */
  taskFinished(episodeId: string): void { this.finishEmitter.fire(episodeId); }
  /** Test Connection succeeded. */
  connected(): void { this.connectEmitter.fire(); }

  /** The API key from SecretStorage (never from settings). */
  async apiKey(): Promise<string | undefined> {
    this.cachedKey = (await this.ext.secrets.get(API_KEY_SECRET)) || undefined;
    return this.cachedKey;
  }
  async setApiKey(key: string | undefined): Promise<void> {
    if (key) await this.ext.secrets.store(API_KEY_SECRET, key);
    else await this.ext.secrets.delete(API_KEY_SECRET);
    this.cachedKey = key || undefined;
  }
  /** Literal secrets the redactor strips from everything recorded or logged. */
  knownSecrets(): string[] { return this.cachedKey ? [this.cachedKey] : []; }
  watchSecret(listener: () => void): void {
    this.own(this.ext.secrets.onDidChange((e) => { if (e.key === API_KEY_SECRET) listener(); }));
  }

  /** Workspace storage (global storage without a workspace): episode files and what is derived from them live here. */
  get workspaceStorage(): string { return (this.ext.storageUri ?? this.ext.globalStorageUri).fsPath; }
  /** The folder of this workspace's episode files. */
  get episodesDir(): string { return join(this.workspaceStorage, 'episodes'); }

  /** Episodes under the workspace storage (global storage without a workspace); the index under global storage. */
  store(): Promise<TrajectoryStore> {
    if (!this.storePromise) {
      const p = loadCore().then(({ TrajectoryStore }) => TrajectoryStore.open({
        episodesDir: this.episodesDir,
        indexFile: join(this.ext.globalStorageUri.fsPath, 'episode-index.json'),
        warn: (m) => this.log.warn(m),
      }));
      this.storePromise = p;
      p.catch((e: unknown) => {
        this.storePromise = null;
        this.log.error(`could not open the task history: ${(e as Error).message}`);
      });
    }
    return this.storePromise;
  }

  /** Applies `oel.history.*` retention and logs what it deleted. */
  async applyRetention(): Promise<void> {
    const policy = this.config.retention;
    if (policy.maxDays === undefined && policy.maxEpisodes === undefined) return;
    const store = await this.store();
    const deleted = await store.applyRetention(policy);
    if (deleted.length) {
      // Their checkpoints go with them (history.ts; imported here lazily, history.ts imports this module's type).
      const { deleteCheckpointsOf } = await import('./history');
      await deleteCheckpointsOf(this, deleted.map((d) => d.id));
      this.log.info(`retention deleted ${deleted.length} task(s): ${deleted.map((d) => d.id).join(', ')}`);
      this.historyChanged();
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) {
      try { d.dispose(); } catch { /* keep disposing */ }
    }
    void this.storePromise?.then((s) => s.close()).catch(() => {});
  }
}
