/**
 * The joined team, as the rest of the VS Code layer sees it: the pinned server (global state), the member token
 * (SecretStorage only) and the one {@link TeamSession} built from them. Every team command, view and timer asks this
 * object for the session and listens to {@link TeamConnection.onDidChange}, so joining, leaving and a runtime swap are
 * seen everywhere at once. Nothing here talks to the network by itself.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore } from '../core';
import type { AdapterRuntime, TeamPin, TeamSession } from '../core';

const TOKEN_SECRET = 'oel.team.token';
const PIN_STATE = 'oel.team.pin';

export class TeamConnection implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired after join, leave, or a change of the adapter runtime. */
  readonly onDidChange = this.changed.event;
  private cached: Promise<TeamSession | undefined> | undefined;
  private runtime: AdapterRuntime | undefined;
  /**
   * Prompt tokens per task the active team adapter saves (its absorbed items left the prompt), set by the receiving
   * side (adapterUpdates.ts) and recorded in each episode's header; undefined while no adapter is taken.
   */
  tokensSaved: number | undefined;

  constructor(private readonly ctx: OelContext) {
    ctx.own(this, ctx.ext.secrets.onDidChange((e) => { if (e.key === TOKEN_SECRET) this.invalidate(); }));
  }

  /** The pinned server, or undefined when not joined (or the stored pin is damaged: then joining again fixes it). */
  pin(): TeamPin | undefined {
    const raw = this.ctx.ext.globalState.get<unknown>(PIN_STATE);
    if (raw === undefined) return undefined;
    // Validated on every read: global state is ours, but a damaged value must mean "join again", not a crash.
    const ok = raw && typeof raw === 'object' && typeof (raw as TeamPin).url === 'string' && /^[0-9a-f]{16}$/.test(String((raw as TeamPin).key_id))
      && typeof (raw as TeamPin).public_key_base64 === 'string';
    return ok ? (raw as TeamPin) : undefined;
  }

  get joined(): boolean { return this.pin() !== undefined; }

  /** The session of the joined team, or undefined when not joined or the token is gone. Built once per change. */
  session(): Promise<TeamSession | undefined> {
    this.cached ??= this.build();
    return this.cached;
  }

  /** Stores a pin from joinTeam() and its token. The token goes to SecretStorage only, never to settings or state. */
  async join(pin: TeamPin, token: string): Promise<void> {
    await this.ctx.ext.secrets.store(TOKEN_SECRET, token);
    await this.ctx.ext.globalState.update(PIN_STATE, pin);
    this.invalidate();
  }

  /** Forgets the token and the pinned key. Downloaded adapters stay unless `removeAdapters`. */
  async leave(o: { removeAdapters: boolean }): Promise<void> {
    const session = await this.session();
    if (o.removeAdapters && session) await session.removeAdapters();
    await this.ctx.ext.secrets.delete(TOKEN_SECRET);
    await this.ctx.ext.globalState.update(PIN_STATE, undefined);
    this.invalidate();
  }

  /** The runtime issue sets the runtime that loads adapters; until then adapters are only stored. */
  setRuntime(runtime: AdapterRuntime | undefined): void {
    this.runtime = runtime;
    this.invalidate();
  }

  /** The extension's global storage: team/<server>/ (queue, audit log) and adapters/<server>/ live under it. */
  get storage(): string { return this.ctx.ext.globalStorageUri.fsPath; }

  private invalidate(): void {
    this.cached = undefined;
    void vscode.commands.executeCommand('setContext', 'oel.team.joined', this.joined);
    this.changed.fire();
  }

  private async build(): Promise<TeamSession | undefined> {
    const pin = this.pin();
    if (!pin) return undefined;
    const token = await this.ctx.ext.secrets.get(TOKEN_SECRET);
    if (!token) return undefined;
    const core = await loadCore();
    const keep = vscode.workspace.getConfiguration('oel.team').get<number>('keepVersions', 3);
    return new core.TeamSession({ storage: this.storage, pin, token, runtime: this.runtime ?? new core.StoredOnlyRuntime(), keep });
  }

  dispose(): void { this.changed.dispose(); }
}

/** Creates the connection and sets the `oel.team.joined` context key for menus and views. */
export function createTeamConnection(ctx: OelContext): TeamConnection {
  const team = new TeamConnection(ctx);
  void vscode.commands.executeCommand('setContext', 'oel.team.joined', team.joined);
  return team;
}
