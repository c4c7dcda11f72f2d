/**
 * The status bar item: `$(hubot) <model>` (plus `· adapter v3` while a team adapter is active), `$(warning) OEL: no
 * model`, or `$(sync~spin)` while running.
 */
import * as vscode from 'vscode';
import { Config } from './config';
import type { OelContext } from './context';

/** The active team adapter as the status bar shows it: its version and the runtime that took it. */
export interface StatusAdapter { version: number; target: string }

/** Text and tooltip for a state (pure). */
export function statusText(model: string, running: boolean, adapter?: StatusAdapter): { text: string; tooltip: string } {
  const tag = adapter ? ` · adapter v${adapter.version}` : '';
  const about = adapter ? ` with team adapter v${adapter.version} (${RUNTIME_NAMES[adapter.target] ?? adapter.target})` : '';
  if (running) return { text: `$(sync~spin) ${model || 'OEL'}${tag}`, tooltip: `OEL Agent is running${about} — click for actions` };
  if (!model) return { text: '$(warning) OEL: no model', tooltip: 'OEL Agent: no model configured — click to set one up' };
  return { text: `$(hubot) ${model}${tag}`, tooltip: `OEL Agent: ${model}${about} — click for actions` };
}

/** How each `oel.adapters.runtime` value reads in a tooltip. */
const RUNTIME_NAMES: Record<string, string> = { vllm: 'vLLM', ollama: 'Ollama', llamacppServer: 'llama.cpp server', embedded: 'embedded llama.cpp', llamacpp: 'embedded llama.cpp' };

/** Registers the status bar item and its quick pick of actions. */
export function registerStatusBar(ctx: OelContext): void {
  const item = ctx.own(vscode.window.createStatusBarItem('oel.status', vscode.StatusBarAlignment.Right, 100));
  item.name = 'OEL Agent';
  item.command = 'oel.showActions';
  const update = () => {
    const a = ctx.adapters?.active();
    const s = statusText(ctx.config.model, ctx.isRunning, a ? { version: a.version, target: a.target } : undefined);
    item.text = s.text;
    item.tooltip = s.tooltip;
  };
  update();
  item.show();
  ctx.own(ctx.onDidChangeRunning(update));
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => { if (Config.affects(e, 'provider') || Config.affects(e, 'adapters') || Config.affects(e, 'llamacpp.modelPath')) update(); }));
  if (ctx.adapters) ctx.own(ctx.adapters.onDidChange(update));
  ctx.command('oel.showActions', async () => {
    const actions: (vscode.QuickPickItem & { command: string })[] = [
      ...(ctx.isRunning ? [{ label: '$(debug-stop) Stop', command: 'oel.stop' }] : []),
      { label: '$(add) New Task', command: 'oel.newTask' },
      { label: '$(plug) Test Connection', command: 'oel.testConnection' },
      { label: '$(key) Set API Key', command: 'oel.setApiKey' },
      { label: '$(settings-gear) Open Settings', command: 'oel.openSettings' },
      { label: '$(output) Show Log', command: 'oel.showLog' },
    ];
    const pick = await vscode.window.showQuickPick(actions, { placeHolder: 'OEL Agent' });
    if (pick) await vscode.commands.executeCommand(pick.command);
  });
}
