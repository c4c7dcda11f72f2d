/** The status bar item: `$(hubot) <model>`, `$(warning) OEL: no model`, or `$(sync~spin)` while running. */
import * as vscode from 'vscode';
import { Config } from './config';
import type { OelContext } from './context';

/** Text and tooltip for a state (pure). */
export function statusText(model: string, running: boolean): { text: string; tooltip: string } {
  if (running) return { text: `$(sync~spin) ${model || 'OEL'}`, tooltip: 'OEL Agent is running — click for actions' };
  if (!model) return { text: '$(warning) OEL: no model', tooltip: 'OEL Agent: no model configured — click to set one up' };
  return { text: `$(hubot) ${model}`, tooltip: `OEL Agent: ${model} — click for actions` };
}

/** Registers the status bar item and its quick pick of actions. */
export function registerStatusBar(ctx: OelContext): void {
  const item = ctx.own(vscode.window.createStatusBarItem('oel.status', vscode.StatusBarAlignment.Right, 100));
  item.name = 'OEL Agent';
  item.command = 'oel.showActions';
  const update = () => {
    const s = statusText(ctx.config.model, ctx.isRunning);
    item.text = s.text;
    item.tooltip = s.tooltip;
  };
  update();
  item.show();
  ctx.own(ctx.onDidChangeRunning(update));
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => { if (Config.affects(e, 'provider')) update(); else if (Config.affects(e, 'llamacpp.modelPath')) update(); }));
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
