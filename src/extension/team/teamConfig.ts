/**
 * The VS Code side of the team sharing settings: `oel.team.*` as VS Code layers them, plus the user's per-workspace
 * choices kept in workspace state (this machine only). The rules live in teamSettings.ts (pure, unit-tested).
 */
import * as vscode from 'vscode';
import { readTeamSharing, type LocalTeamChoices, type TeamSharingSettings } from './teamSettings';

const LOCAL_CHOICES = 'oel.team.workspaceChoices';

/** The effective team settings of this window now (workspace trust included). */
export function teamSharing(ext: vscode.ExtensionContext): TeamSharingSettings {
  const c = vscode.workspace.getConfiguration('oel.team');
  return readTeamSharing((k) => c.inspect(k), localChoices(ext), vscode.workspace.isTrusted);
}

/** The user's per-workspace choices (never read from a file a repository ships). */
export function localChoices(ext: vscode.ExtensionContext): LocalTeamChoices {
  const raw = ext.workspaceState.get<LocalTeamChoices>(LOCAL_CHOICES) ?? {};
  return {
    ...(typeof raw.shareWorkspaceKnowledge === 'boolean' ? { shareWorkspaceKnowledge: raw.shareWorkspaceKnowledge } : {}),
    ...(raw.shareByDefault === 'yes' || raw.shareByDefault === 'no' ? { shareByDefault: raw.shareByDefault } : {}),
  };
}

/** Stores the user's per-workspace choices. */
export async function setLocalChoices(ext: vscode.ExtensionContext, choices: LocalTeamChoices): Promise<void> {
  await ext.workspaceState.update(LOCAL_CHOICES, choices);
}

/** Whether a configuration change touches the team settings. */
export function affectsTeam(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('oel.team');
}
