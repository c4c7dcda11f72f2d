/**
 * Receiving the team's adapter in VS Code: "Update Adapter" (and the automatic update when the server releases a new
 * current version) downloads, verifies and activates it through TeamSession.updateAdapter() with progress; a refusal
 * names the check that failed and leaves the previous version active; "Roll Back" switches to the previous kept one.
 * After each change the knowledge files are brought in line (absorbedKnowledge.ts) and the prompt tokens saved per
 * task are kept for the Team view and the episode header.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore, type AdapterUpdate, type TeamSession } from '../core';
import type { KnowledgeFiles } from '../knowledge/knowledgeFiles';
import { syncAbsorbed, type Absorption } from './absorbedKnowledge';
import { activationSummary, updateSummary } from './receiveMessages';

const DECLINED_STATE = 'oel.team.declinedVersion';

export class AdapterUpdates implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired after an update, a refusal, a roll back or a new absorption count. */
  readonly onDidChange = this.changed.event;
  /** The last refusal's message (which check failed), until an update succeeds. */
  refusal: string | null = null;
  /** The version refused last: the automatic update does not try it again on every poll. */
  refusedVersion: number | null = null;
  absorption: Absorption = { version: null, items: 0, tokens: 0 };
  private running: Promise<void> | undefined;
  private absorbing: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: OelContext, private readonly files: KnowledgeFiles) {}

  /**
   * The version the user rolled back from. The automatic update leaves it alone (also after a restart), so a roll
   * back is not undone at the next poll; a manual update or a newer release clears it.
   */
  get declinedVersion(): number | null { return this.ctx.ext.globalState.get<number>(DECLINED_STATE) ?? null; }
  private setDeclined(v: number | null): Thenable<void> { return this.ctx.ext.globalState.update(DECLINED_STATE, v ?? undefined); }

  private async session(): Promise<TeamSession> {
    const s = await this.ctx.team?.session();
    if (!s) throw new Error('join a team first (OEL Agent: Join Team Consolidation).');
    return s;
  }

  /**
   * Makes the server's current version active here. `auto`: started by a release seen while polling; it says nothing
   * when the version is already active. One update runs at a time; a second call waits for it.
   */
  update(o: { auto: boolean } = { auto: false }): Promise<void> {
    this.running ??= this.doUpdate(o).finally(() => { this.running = undefined; });
    return this.running;
  }

  private async doUpdate(o: { auto: boolean }): Promise<void> {
    const session = await this.session();
    if (!o.auto) await this.setDeclined(null);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'OEL Agent: updating the team adapter (download, verify, activate)', cancellable: true },
      async (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return session.updateAdapter(abort.signal);
      },
    );
    await this.afterUpdate(result, o.auto);
  }

  private async afterUpdate(result: AdapterUpdate, auto: boolean): Promise<void> {
    if (result.kind === 'refused') {
      this.refusal = result.result.message;
      // The version asked for is in the message; keep it so a poll does not refuse it again every few seconds.
      this.refusedVersion = (await (await this.session()).client.currentAdapter().catch(() => null));
      this.ctx.log.warn(`team: ${result.result.message}`);
      this.changed.fire();
      void vscode.window.showErrorMessage(`OEL Agent: ${result.result.message}`);
      return;
    }
    if (result.kind === 'activated') { this.refusal = null; this.refusedVersion = null; }
    await this.refreshAbsorption();
    const msg = updateSummary(result, this.absorption);
    this.ctx.log.info(`team: ${msg}`);
    if (!auto || result.kind === 'activated') void vscode.window.showInformationMessage(`OEL Agent: ${msg}`);
  }

  /**
   * "Roll Back": the previous kept version becomes active (in the runtime too). From the oldest kept version it goes
   * back to the base model, after asking: the user may not know no older version is kept. Absorbed items are
   * recomputed, so knowledge the rolled-back version carried returns to the prompt.
   */
  async rollBack(): Promise<void> {
    const session = await this.session();
    const core = await loadCore();
    const active = await core.readActiveAdapter(session.adaptersRoot, session.server);
    if (!active) throw new Error('no team adapter is active, so there is nothing to roll back.');
    const older = (await core.storedVersions(session.adaptersRoot, session.server)).filter((v) => v < active.version);
    let msg: string;
    const current = await session.client.currentAdapter().catch(() => null);
    if (older.length === 0) {
      const ok = await vscode.window.showWarningMessage(`No version older than ${active.version} is kept. Roll back to the base model (no team adapter)?`,
        { modal: true, detail: 'Knowledge the adapter absorbed goes back into the prompt. "Update Team Adapter" makes the team\'s current version active again.' }, 'Use Base Model');
      if (ok !== 'Use Base Model') return;
      await this.setDeclined(current);
      const res = await session.deactivate();
      await this.refreshAbsorption();
      msg = `rolled back to the base model: no team adapter is active (${res.target}). Absorbed knowledge is back in the prompt.`;
    } else {
      const now = await session.rollBack();
      await this.setDeclined(current);
      await this.refreshAbsorption();
      msg = `rolled back to adapter version ${now.version}. ${activationSummary(now, this.absorption)}`;
    }
    this.ctx.log.info(`team: ${msg}`);
    void vscode.window.showInformationMessage(`OEL Agent: ${msg}`);
  }

  /** Re-marks absorbed items for the active adapter and recounts the tokens saved (also after a runtime change). */
  refreshAbsorption(): Promise<void> {
    // One at a time: an activation fires the runtime's change and the update's own refresh together.
    const next = this.absorbing.catch(() => undefined).then(() => this.doRefreshAbsorption());
    this.absorbing = next;
    return next;
  }

  private async doRefreshAbsorption(): Promise<void> {
    const session = await this.ctx.team?.session();
    if (!session) { this.absorption = { version: null, items: 0, tokens: 0 }; this.changed.fire(); return; }
    this.absorption = await syncAbsorbed(this.ctx, this.files, session);
    if (this.ctx.team) this.ctx.team.tokensSaved = this.absorption.version !== null ? this.absorption.tokens : undefined;
    this.changed.fire();
  }

  dispose(): void { this.changed.dispose(); }
}
