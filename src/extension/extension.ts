/**
 * Entry point of the VS Code extension. Activation is a short list of `registerX(ctx)` calls on one context object
 * that owns every disposable; see docs/extension.md.
 */
import * as vscode from 'vscode';
import { registerAgent } from './agent';
import { OelContext } from './context';
import { loadCore } from './core';
import { registerHistory } from './history';
import { registerKnowledge } from './knowledge';
import { registerLearningView } from './learningView';
import { registerProviderCommands } from './providerCommands';
import { registerDownloadModelCommand } from './runtime/downloadModel';
import { registerAdapterRuntimes } from './runtime/adapterRuntimes';
import { registerStatusBar } from './statusBar';
import { registerTeamSending } from './team';
import { createTeamConnection } from './team/teamConnection';
import { registerTeamReceiving } from './team/receiving';
import { registerWalkthrough } from './walkthrough';

let current: OelContext | undefined;

/**
 * Activates the extension. It returns nothing on purpose: whatever `activate` returns is handed to every other
 * installed extension through `vscode.extensions.getExtension(...).exports`, and the context object holds the API key
 * that SecretStorage keeps from them (test/e2e/isolation.test.ts checks this with a second extension).
 */
export function activate(ext: vscode.ExtensionContext): void {
  const ctx = (current = new OelContext(ext));
  registerProviderCommands(ctx);
  registerDownloadModelCommand(ctx);
  ctx.team = createTeamConnection(ctx);
  // After the team connection (it receives the runtime) and before the agent and status bar (they read the model).
  registerAdapterRuntimes(ctx);
  // The embedded llama.cpp provider loads adapters into its own context; its model process starts only when used.
  ctx.adapters?.register('embedded', async () => {
    const { EmbeddedAdapterRuntime } = await loadCore();
    return new EmbeddedAdapterRuntime(await ctx.localModel(), () => ({ ...ctx.config.llamacpp }));
  });
  registerHistory(ctx);
  // Sets ctx.knowledge before the first task can start; the agent passes it to the core.
  const knowledgeFiles = registerKnowledge(ctx);
  registerTeamSending(ctx, knowledgeFiles);
  registerTeamReceiving(ctx, knowledgeFiles);
  registerAgent(ctx);
  registerLearningView(ctx);
  registerStatusBar(ctx);
  registerWalkthrough(ctx);
  ctx.watchSecret(() => ctx.log.info('API key changed'));
  void vscode.commands.executeCommand('setContext', 'oel.running', false);
  // Retention runs after activation so it never delays startup.
  setTimeout(() => void ctx.applyRetention().catch((e: unknown) => ctx.log.warn(`retention failed: ${(e as Error).message}`)), 0);
  ctx.log.info(`activated (trusted: ${vscode.workspace.isTrusted})`);
}

export function deactivate(): void {
  current?.dispose();
  current = undefined;
}
