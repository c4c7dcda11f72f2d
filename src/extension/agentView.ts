/**
 * The agent view (`oel.agentView`): a webview that renders the transcript of {@link AgentController} and sends the
 * user's actions back. Messages both ways are validated against src/core/protocol/webview.ts.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ExtensionToWebview } from '../core/protocol/webview';
import type { AgentController } from './agentController';
import type { OelContext } from './context';
import { loadCore, type CoreRuntime } from './core';
import { agentViewHtml } from './agentViewHtml';

/** Provides the agent webview view. */
export class AgentViewProvider implements vscode.WebviewViewProvider {
  static readonly viewId = 'oel.agentView';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  /** The core runtime, loaded when the view first speaks (it says `ready` before anything is posted to it). */
  private core: CoreRuntime | undefined;

  constructor(private readonly ctx: OelContext, private readonly agent: AgentController) {
    ctx.own(agent.onDidChange((e) => {
      if (e.type === 'cleared' || e.type === 'running' || e.type === 'feedbackStored' || e.type === 'needsModel') this.post(e);
      else this.post({ type: 'item', item: e });
    }));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const ext = this.ctx.ext.extensionUri;
    // Codicons are vendored in media/codicons: `vsce package --no-dependencies` leaves node_modules out of the VSIX.
    const roots = [vscode.Uri.joinPath(ext, 'dist', 'webview'), vscode.Uri.joinPath(ext, 'media')];
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: roots };
    const w = view.webview;
    w.html = agentViewHtml({
      cspSource: w.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(roots[0], 'agent.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(ext, 'media', 'agent.css')).toString(),
      codiconUri: w.asWebviewUri(vscode.Uri.joinPath(ext, 'media', 'codicons', 'codicon.css')).toString(),
    });
    const sub = w.onDidReceiveMessage((raw) => this.receive(raw));
    view.onDidDispose(() => { sub.dispose(); if (this.view === view) this.view = undefined; });
  }

  /** Re-sends trust/model after a settings or trust change. */
  refreshSettings(): void {
    this.post({ type: 'settings', trusted: this.ctx.trusted, model: this.ctx.config.model });
  }

  /** Reveals the view and focuses the input. */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${AgentViewProvider.viewId}.focus`);
    this.post({ type: 'focusInput' });
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
          this.ready = true;
          this.post({ type: 'init', trusted: this.ctx.trusted, model: this.ctx.config.model, running: this.agent.running, feedbackGiven: this.agent.hasFeedback, transcript: [...this.agent.items] });
          break;
        case 'send': await this.agent.send(msg.text); break;
        case 'stop': this.agent.stop(); break;
        case 'newTask': this.agent.newTask(); break;
        case 'approve': this.agent.decide(msg.callId, { decision: 'approved' }); break;
        case 'reject': this.agent.decide(msg.callId, { decision: 'rejected', ...(msg.comment ? { comment: msg.comment } : {}) }); break;
        case 'openDiff': await this.agent.openDiff(msg.callId); break;
        case 'feedback': await this.agent.feedback(msg.rating, msg.comment); break;
        case 'command': await vscode.commands.executeCommand(msg.command); break;
        case 'revealKnowledge': await vscode.commands.executeCommand('oel.knowledge.reveal', { id: msg.id }); break;
      }
    } catch (e) {
      this.agent.error(`${msg.type} failed: ${(e as Error).message}`);
    }
  }
}
