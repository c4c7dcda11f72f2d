/**
 * The "Get started with OEL Agent" walkthrough: opened once, on the first activation after install (as VS Code does
 * for walkthroughs of extensions installed from the UI; `oel.walkthrough.openOnInstall` turns it off), and its steps
 * tick when the user has really done each one. The steps' completion events are context keys set here (package.json
 * `onContext:`): starting a task from the Agent view runs no command, so `onCommand:` events would never fire.
 */
import * as vscode from 'vscode';
import { Config } from './config';
import type { OelContext } from './context';

const OPENED_STATE = 'oel.walkthrough.opened';
const WALKTHROUGH_ID = 'oel.oel-agent#oel.gettingStarted';

/** Context keys behind the walkthrough steps' completion events. */
export const WALKTHROUGH_KEYS = {
  /** A model is configured (`oel.provider.model`). */
  providerConfigured: 'oel.walkthrough.providerConfigured',
  /** The model answered: Test Connection succeeded, or a task got a model turn. */
  connected: 'oel.walkthrough.connected',
  /** A task ran through the model and ended. */
  taskFinished: 'oel.walkthrough.taskFinished',
} as const;

function setKey(key: string, value: boolean): void {
  void vscode.commands.executeCommand('setContext', key, value);
}

/**
 * How long after activation the "model configured" key is first set. VS Code's walkthrough service ignores an
 * `onContext` key that is already true when it registers the walkthrough (the event is marked as seen without
 * completing the step), and in a browser workbench it registers walkthroughs after extensions activate. The other
 * keys are set by what the user does later, so only this one needs to wait.
 */
const PROVIDER_KEY_DELAY_MS = 5000;

/** Registers the first-install opening and the steps' completion keys. */
export function registerWalkthrough(ctx: OelContext): void {
  const provider = () => setKey(WALKTHROUGH_KEYS.providerConfigured, ctx.config.model !== '');
  const timer = setTimeout(provider, PROVIDER_KEY_DELAY_MS);
  ctx.own({ dispose: () => clearTimeout(timer) });
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => { if (Config.affects(e, 'provider.model')) provider(); }));
  ctx.own(ctx.onDidConnect(() => setKey(WALKTHROUGH_KEYS.connected, true)));
  ctx.own(ctx.onDidFinishTask(async (episodeId) => {
    const episode = (await ctx.store().catch(() => null))?.read(episodeId);
    // A task that never reached the model (no model set, server down) does not count as tried.
    if (!episode?.steps.some((s) => s.kind === 'model')) return;
    setKey(WALKTHROUGH_KEYS.connected, true);
    setKey(WALKTHROUGH_KEYS.taskFinished, true);
  }));
  // Once the walkthrough is open it is registered for sure: the key can be set at once.
  void openOnFirstInstall(ctx).then((opened) => { if (opened) { clearTimeout(timer); provider(); } });
}

/** Opens the walkthrough on the first activation after install; resolves whether it did. */
async function openOnFirstInstall(ctx: OelContext): Promise<boolean> {
  if (ctx.ext.globalState.get<boolean>(OPENED_STATE)) return false;
  await ctx.ext.globalState.update(OPENED_STATE, true);
  // Ours, and VS Code's own choice for every extension's walkthrough (a remote extension host, code-server's included,
  // sees only that one's default, so ours is the one that works everywhere).
  const own = vscode.workspace.getConfiguration('oel').get<boolean>('walkthrough.openOnInstall', true);
  const vscodeWide = vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true);
  if (own === false || vscodeWide === false) return false;
  try {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
    return true;
  } catch (e) {
    ctx.log.warn(`could not open the walkthrough: ${(e as Error).message}`);
    return false;
  }
}
