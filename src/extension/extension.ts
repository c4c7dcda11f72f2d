/**
 * Entry point of the VS Code extension. Activation is a short list of `registerX(ctx)` calls on one context object
 * that owns every disposable; see docs/extension.md.
 */
import * as vscode from 'vscode';
import { registerAgent } from './agent';
import { OelContext } from './context';
import { registerHistory } from './history';
import { registerKnowledge } from './knowledge';
import { registerProviderCommands } from './providerCommands';
import { registerStatusBar } from './statusBar';

let current: OelContext | undefined;

/** The API other parts of the extension (and tests) get from `activate`. */
export interface OelApi {
  /** The context object; the knowledge feature sets `context.knowledge`. */
  readonly context: OelContext;
}

export function activate(ext: vscode.ExtensionContext): OelApi {
  const ctx = (current = new OelContext(ext));
  registerProviderCommands(ctx);
  registerHistory(ctx);
  // Sets ctx.knowledge before the first task can start; the agent passes it to the core.
  registerKnowledge(ctx);
  registerAgent(ctx);
  registerStatusBar(ctx);
  ctx.watchSecret(() => ctx.log.info('API key changed'));
  void vscode.commands.executeCommand('setContext', 'oel.running', false);
  // Retention runs after activation so it never delays startup.
  setTimeout(() => void ctx.applyRetention().catch((e: unknown) => ctx.log.warn(`retention failed: ${(e as Error).message}`)), 0);
  ctx.log.info(`activated (trusted: ${vscode.workspace.isTrusted})`);
  return { context: ctx };
}

export function deactivate(): void {
  current?.dispose();
  current = undefined;
}
