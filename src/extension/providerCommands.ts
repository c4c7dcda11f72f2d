/** Set/Clear API Key (SecretStorage only), Test Connection, Open Settings, Show Log. */
import * as vscode from 'vscode';
import type { OelContext } from './context';
import { loadCore } from './core';
import { fixActions } from './fixActions';

/** Registers the provider commands. */
export function registerProviderCommands(ctx: OelContext): void {
  ctx.command('oel.setApiKey', async () => {
    const key = await vscode.window.showInputBox({
      title: 'OEL Agent: API Key',
      prompt: `API key for ${ctx.config.baseUrl}. It is stored in the OS secret store, never in settings or logs.`,
      password: true,
      ignoreFocusOut: true,
      placeHolder: 'sk-…',
      validateInput: (v) => (/\s/.test(v.trim()) ? 'An API key has no spaces.' : undefined),
    });
    if (key === undefined) return;
    if (!key.trim()) { void vscode.window.showInformationMessage('OEL Agent: no key entered; nothing changed.'); return; }
    await ctx.setApiKey(key.trim());
    ctx.log.info('API key stored in secret storage');
    const a = await vscode.window.showInformationMessage('OEL Agent: API key saved.', 'Test Connection');
    if (a) await vscode.commands.executeCommand('oel.testConnection');
  });
  ctx.command('oel.clearApiKey', async () => {
    await ctx.setApiKey(undefined);
    ctx.log.info('API key removed from secret storage');
    void vscode.window.showInformationMessage('OEL Agent: API key removed.');
  });
  ctx.command('oel.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:oel.oel-agent'));
  ctx.command('oel.showLog', () => ctx.log.show());
  ctx.command('oel.testConnection', async () => {
    const cfg = ctx.config;
    if (cfg.providerKind === 'llamacpp') { await testLocalModel(ctx); return; }
    if (!cfg.model) {
      const a = await vscode.window.showWarningMessage('OEL Agent: no model is configured. Set "oel.provider.model" first.', 'Open Settings');
      if (a) await vscode.commands.executeCommand('oel.openSettings');
      return;
    }
    const apiKey = await ctx.apiKey();
    const { testConnection } = await loadCore();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `OEL Agent: testing ${cfg.model}…`, cancellable: true },
      (_p, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        return testConnection({ baseUrl: cfg.baseUrl, model: cfg.model, apiKey, timeoutMs: Math.min(cfg.requestTimeoutMs, 30_000) }, ac.signal);
      },
    );
    ctx.log.info(`test connection: ${result.status} — ${result.message}`);
    if (result.status === 'ok') {
      ctx.connected();
      void vscode.window.showInformationMessage(`OEL Agent: ${result.message}`);
      return;
    }
    const actions = fixActions(result.fixes, 'oel.testConnection');
    const a = await vscode.window.showErrorMessage(`OEL Agent: ${result.message}`, ...actions.map((x) => x.label));
    const chosen = actions.find((x) => x.label === a);
    if (chosen) await vscode.commands.executeCommand(chosen.command);
  });
}

/** Test Connection for the embedded runtime: loads the GGUF in the local model process and says what was loaded. */
async function testLocalModel(ctx: OelContext): Promise<void> {
  const settings = ctx.config.llamacpp;
  const lm = await ctx.localModel();
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'OEL Agent: loading the local model…' }, () => lm.ensureLoaded(settings));
    const message = `Local model loaded: ${r.model.name} (${r.model.architecture}, ${r.model.gpu}, context ${r.model.contextSize} tokens, ${Math.round(r.memory.rssBytes / 1048576)} MB).`;
    ctx.log.info(`test connection (llama.cpp): ${message}`);
    ctx.connected();
    void vscode.window.showInformationMessage(`OEL Agent: ${message}`);
  } catch (e) {
    const message = (e as Error).message;
    ctx.log.warn(`test connection (llama.cpp): ${message}`);
    const a = await vscode.window.showErrorMessage(`OEL Agent: ${message}`, 'Open Settings');
    if (a) await vscode.commands.executeCommand('workbench.action.openSettings', 'oel.llamacpp');
  }
}
