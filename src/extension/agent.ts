/** Registers the agent: edit reviews, the controller, the agent view and the task commands; reacts to trust changes. */
import * as vscode from 'vscode';
import { AgentController } from './agentController';
import { AgentViewProvider } from './agentView';
import { Config } from './config';
import type { OelContext } from './context';
import { EditReviews } from './edits';

/** Registers the agent view and commands. */
export function registerAgent(ctx: OelContext): AgentController {
  const agent = new AgentController(ctx, new EditReviews(ctx));
  const view = new AgentViewProvider(ctx, agent);
  ctx.own(vscode.window.registerWebviewViewProvider(AgentViewProvider.viewId, view, { webviewOptions: { retainContextWhenHidden: true } }));
  ctx.command('oel.newTask', async () => { agent.newTask(); await view.reveal(); });
  ctx.command('oel.stop', () => agent.stop());
  ctx.own(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    ctx.log.info('workspace trusted: edits and commands are available for new tasks');
    view.refreshSettings();
  }));
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => { if (Config.affects(e)) view.refreshSettings(); }));
  // An adapter taken or rolled back changes the model id the agent sends: the view's model picker shows it.
  if (ctx.adapters) ctx.own(ctx.adapters.onDidChange(() => view.refreshSettings()));
  return agent;
}
