/**
 * The agent view (`oel.agentView`): a webview that renders the transcript of {@link AgentController} and sends the
 * user's actions back. Messages both ways are validated against src/core/protocol/webview.ts.
 */
import * as vscode from 'vscode';
import type { ExtensionToWebview } from '../core/protocol/webview';
import type { AgentController } from './agentController';
import type { OelContext } from './context';
import { loadCore, type CoreRuntime } from './core';
import { loadWebviewPage } from './webviewSetup';
import { pickContext } from './contextPicker';
import { autoApproveChange } from './settings';
import { localModelInfo } from './runtime/localModelInfo';

/** Provides the agent webview view. */
export class AgentViewProvider implements vscode.WebviewViewProvider {
  static readonly viewId = 'oel.agentView';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  /** The core runtime, loaded when the view first speaks (it says `ready` before anything is posted to it). */
  private core: CoreRuntime | undefined;

  constructor(private readonly ctx: OelContext, private readonly agent: AgentController) {
    ctx.own(agent.onDidChange((e) => {
      if (e.type === 'cleared' || e.type === 'running' || e.type === 'feedbackStored' || e.type === 'needsModel' || e.type === 'checkpoints') this.post(e);
      else this.post({ type: 'item', item: e });
    }));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    loadWebviewPage(view, this.ctx.ext.extensionUri, { script: 'agent.js', style: 'agent.css', title: 'OEL Agent', root: { tag: 'div', testId: 'agent-view' } });
    const w = view.webview;
    const sub = w.onDidReceiveMessage((raw) => this.receive(raw));
    view.onDidDispose(() => { sub.dispose(); if (this.view === view) this.view = undefined; });
  }

  /** Re-sends trust/model after a settings or trust change. */
  refreshSettings(): void {
    this.post({ type: 'settings', trusted: this.ctx.trusted, model: this.ctx.config.model, policy: this.ctx.config.policy, ...this.local() });
  }

  /** The embedded runtime's model, as the `local` field of `init`/`settings` (nothing when a server runs the agent). */
  private local(): { local?: ReturnType<typeof localModelInfo> } {
    const info = localModelInfo(this.ctx.config.providerKind, this.ctx.config.llamacpp);
    return info ? { local: info } : {};
  }

  /** Reveals the view and focuses the input. */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${AgentViewProvider.viewId}.focus`);
    this.post({ type: 'focusInput' });
  }

  /**
   * An auto-approve toggle: the same rule as the settings themselves. Written to the user's settings only (a
   * repository cannot turn it on: the setting is application-scoped and read from user settings only), and never
   * turned on in an untrusted workspace, where the toggles are disabled anyway.
   */
  private async setAutoApprove(category: 'read' | 'edit' | 'command', auto: boolean): Promise<void> {
    const change = autoApproveChange(category, auto, this.ctx.trusted);
    if ('refused' in change) {
      this.agent.error(change.refused);
    } else {
      await vscode.workspace.getConfiguration('oel').update(change.key, change.value, vscode.ConfigurationTarget.Global);
      this.ctx.log.info(`auto-approve ${category} ${auto ? 'on' : 'off'} from the Agent view (user settings)`);
    }
    this.refreshSettings();
  }

  private post(msg: ExtensionToWebview): void {
    if (!this.view || !this.ready || !this.core) return;
    // The view trusts the shape of what it is sent (its bundle carries no zod), so every message is checked here.
    if (!this.core.parseExtensionMessage(msg)) {
      this.ctx.log.error(`agent view: not sent, invalid for the protocol: ${this.core.redactForLog(msg, this.ctx.knownSecrets())}`);
      return;
    }
    void this.view.webview.postMessage(msg);
  }

  private async receive(raw: unknown): Promise<void> {
    const core = (this.core ??= await loadCore());
    const msg = core.parseWebviewMessage(raw);
    if (!msg) {
      // The message may hold what the user typed, API keys included: redacted like everything else that is logged.
      this.ctx.log.warn(`agent view sent an invalid message: ${core.redactForLog(raw, this.ctx.knownSecrets())}`);
      return;
    }
    try {
      switch (msg.type) {
        case 'ready':
          // The first view after a window reload shows the task that was on screen before it.
          await this.agent.restore();
          this.ready = true;
          this.post({ type: 'init', trusted: this.ctx.trusted, model: this.ctx.config.model, running: this.agent.running, feedbackGiven: this.agent.hasFeedback, transcript: [...this.agent.items], restorable: this.agent.restorable, policy: this.ctx.config.policy, ...this.local() });
          break;
        case 'send': await this.agent.send(msg.text, msg.context); break;
        case 'addContext': {
          const items = await pickContext();
          if (items.length) this.post({ type: 'contextAdded', items });
          break;
        }
        case 'stop': this.agent.stop(); break;
        case 'newTask': this.agent.newTask(); break;
        case 'approve': this.agent.decide(msg.callId, { decision: 'approved', ...(msg.hunks ? { hunks: [...new Set(msg.hunks)] } : {}) }); break;
        case 'reject': this.agent.decide(msg.callId, { decision: 'rejected', ...(msg.comment ? { comment: msg.comment } : {}) }); break;
        case 'openDiff': await this.agent.openDiff(msg.callId); break;
        case 'openChange': await this.agent.openChange(msg.path); break;
        case 'restoreCheckpoint': await this.agent.restoreCheckpoint(msg.callId); break;
        case 'listModels': {
          const cfg = this.ctx.config;
          const r = await core.listModels({ baseUrl: cfg.baseUrl, model: cfg.model, apiKey: await this.ctx.apiKey(), timeoutMs: 15_000 });
          this.post('models' in r ? { type: 'models', models: r.models } : { type: 'models', models: [], error: r.error.slice(0, 2000) });
          break;
        }
        case 'pickModel':
          // The user's own choice, in their user settings (the setting is application-scoped: no workspace can set it).
          await vscode.workspace.getConfiguration('oel').update('provider.model', msg.model, vscode.ConfigurationTarget.Global);
          this.ctx.log.info(`model set to ${msg.model} from the Agent view`);
          break;
        case 'setAutoApprove': await this.setAutoApprove(msg.category, msg.auto); break;
        case 'feedback': await this.agent.feedback(msg.rating, msg.comment); break;
        case 'command': await vscode.commands.executeCommand(msg.command); break;
        case 'revealKnowledge': await vscode.commands.executeCommand('oel.knowledge.reveal', { id: msg.id }); break;
      }
    } catch (e) {
      this.agent.error(`${msg.type} failed: ${(e as Error).message}`);
    }
  }
}
