/**
 * "Join Team Consolidation…" and "Leave Team". Joining takes one pasted invite (or, by hand, a URL, a token and an
 * optional key id), fetches the server's signing key, shows its fingerprint in a modal for the user to compare with
 * the admin's, and only then stores the pin (global state) and the token (SecretStorage) through ctx.team. The invite
 * may also come as the command's argument (tests and links), and the confirmation is still shown.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore, type TeamPin } from '../core';
import type { TeamConnection } from './teamConnection';

/** The joined team's connection; the team feature is registered after ctx.team is set. */
export function teamOf(ctx: OelContext): TeamConnection {
  if (!ctx.team) throw new Error('the team connection is not ready yet.');
  return ctx.team;
}

/** Registers oel.team.join and oel.team.leave. */
export function registerJoinCommands(ctx: OelContext): void {
  ctx.command('oel.team.join', async (arg?: unknown) => {
    const core = await loadCore();
    const team = teamOf(ctx);
    const first = typeof arg === 'string' ? arg : await vscode.window.showInputBox({
      title: 'Join Team Consolidation (1/3)', ignoreFocusOut: true,
      prompt: 'Paste the invite your team admin gave you (oel-invite:…), or type the team server URL to enter a token by hand.',
      placeHolder: 'oel-invite:…  or  https://oel.example.com',
      validateInput: (v) => { const p = core.parseJoinInput(v); return p.kind === 'error' ? p.message : undefined; },
    });
    if (first === undefined) return;
    const input = core.parseJoinInput(first);
    if (input.kind === 'error') throw new Error(input.message);
    let req: { url: string; token: string; key_id?: string };
    if (input.kind === 'invite') req = input.invite;
    else {
      const token = await vscode.window.showInputBox({
        title: 'Join Team Consolidation (2/3)', password: true, ignoreFocusOut: true, prompt: `Your member token for ${input.url} (kept in VS Code's secret storage only).`,
        validateInput: (v) => core.tokenProblem(v),
      });
      if (token === undefined) return;
      const keyId = await vscode.window.showInputBox({
        title: 'Join Team Consolidation (3/3)', ignoreFocusOut: true,
        prompt: "The server's key id from your admin (16 hex digits). Leave it empty to compare the fingerprint by eye in the next step.",
        validateInput: (v) => core.keyIdProblem(v),
      });
      if (keyId === undefined) return;
      req = { url: input.url, token: token.trim(), ...(keyId.trim() ? { key_id: keyId.trim().toLowerCase() } : {}) };
    }
    const pin = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OEL Agent: contacting ${req.url}…` },
      () => core.joinTeam(req));
    if (!(await confirmKey(pin, req.key_id !== undefined, team.pin(), input.kind === 'invite' ? input.invite.team : undefined))) return;
    await team.join(pin, req.token);
    ctx.log.info(`team: joined ${pin.url} (key ${pin.key_id})`);
    void vscode.window.showInformationMessage(`OEL Agent: joined the team at ${pin.url}. Nothing is shared until you consent per item (Share with Team) and look at the first submission in its preview.`, 'Preview Next Submission')
      .then((a) => a && vscode.commands.executeCommand('oel.team.previewSubmission'));
  });

  ctx.command('oel.team.leave', async () => {
    const team = teamOf(ctx);
    const pin = team.pin();
    if (!pin) { void vscode.window.showInformationMessage('OEL Agent: you have not joined a team.'); return; }
    const keep = 'Leave, Keep Adapters';
    const remove = 'Leave and Remove Adapters';
    const a = await vscode.window.showWarningMessage(`Leave the team at ${pin.url}?`, {
      modal: true,
      detail: 'Your token and the pinned signing key are forgotten; nothing more is sent or downloaded. Your knowledge files keep their share: and team: lines, and the local audit log stays. Downloaded adapters stay unless you remove them.',
    }, keep, remove);
    if (a !== keep && a !== remove) return;
    await team.leave({ removeAdapters: a === remove });
    ctx.log.info(`team: left ${pin.url}${a === remove ? ' and removed its adapters' : ''}`);
    void vscode.window.showInformationMessage(`OEL Agent: left the team at ${pin.url}.`);
  });
}

/**
 * The modal that makes the user compare the key: with an invite the fingerprint already matched the admin's; by
 * hand without a key id it is trust on first use, said plainly. Re-joining with a different key says so too.
 */
async function confirmKey(pin: TeamPin, matchedAdmin: boolean, previous: TeamPin | undefined, teamName?: string): Promise<boolean> {
  const changed = previous && previous.url === pin.url && previous.key_id !== pin.key_id;
  const detail = [
    // The team name is the invite's label only (the token decides the team), shown to help recognise the invite.
    `Server: ${pin.url}${teamName ? ` (team "${teamName.replace(/[\u0000-\u001f"]/g, '')}")` : ''}`,
    `Signing key fingerprint: ${pin.key_id}`,
    matchedAdmin ? 'This matches the key id in your invite.' : 'Compare it with the key id your admin gives you (oel server admin invite, or the team dashboard). Join only if they are the same.',
    ...(changed ? [`This replaces the key pinned before (${previous.key_id}). Only accept it if your admin told you the key changed.`] : []),
    'Adapters from this team are installed only when signed with this key.',
  ].join('\n\n');
  return (await vscode.window.showInformationMessage('Join this team?', { modal: true, detail }, 'Join')) === 'Join';
}
