/**
 * The `oel.team.*` settings that decide what leaves the machine, as pure readers (no `vscode` import, unit-tested).
 *
 * A repository's `.vscode/settings.json` is hostile (docs/security.md): it may make sharing stricter, never looser.
 * So for the sharing settings a workspace or folder value can only turn sharing OFF (`false`, `no`); turning it ON
 * comes from the user's own settings, or from the user's per-workspace choice that the extension keeps in its
 * workspace state on this machine (never in a file a repository ships). Restricted Mode shares nothing.
 */
import type { SettingInspection } from '../settings';
import type { SendSchedule } from '../../core/team/schedule';

/** The user's own per-workspace choices, kept in VS Code's workspace state (this machine only). */
export interface LocalTeamChoices {
  shareWorkspaceKnowledge?: boolean;
  shareByDefault?: 'yes' | 'no';
}

/** What the team client may send from this window. */
export interface TeamSharingSettings {
  /** May this workspace's `.oel/knowledge.md` items be shared at all. */
  shareWorkspaceKnowledge: boolean;
  /** The consent of an item whose metadata has no `share:`. */
  shareByDefault: 'yes' | 'no';
  /** May task statements (the user's requests) be shared (anonymized). */
  shareTaskStatements: boolean;
  schedule: SendSchedule;
  /** Extra terms the anonymizer hides ("acme", "Project Falcon"). */
  alsoHide: string[];
  /** Why sharing from this workspace is off, in words for the user; undefined when it is on. */
  workspaceOffReason?: string;
}

/** Reads `inspect('<key under oel.team.>')`. */
export type TeamInspect = (key: string) => SettingInspection | undefined;

/** Values a workspace or folder layer set (the layers a repository controls). */
function repoValues(i: SettingInspection | undefined): unknown[] {
  return [i?.workspaceValue, i?.workspaceFolderValue].filter((v) => v !== undefined);
}

/** At most this many "also hide" terms, each at most this long: a repository could otherwise slow every send. */
export const MAX_ALSO_HIDE_TERMS = 200;
export const MAX_ALSO_HIDE_LENGTH = 200;

/** Cleans an "also hide" list: strings only, trimmed, no empties, no duplicates (case-insensitive), within limits. */
export function cleanTerms(values: unknown[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    if (!Array.isArray(v)) continue;
    for (const t of v) {
      if (typeof t !== 'string') continue;
      const term = t.trim();
      // One- and two-letter terms would hide fragments of every word and lose the lesson; the setting says so.
      if (term.length < 3 || term.length > MAX_ALSO_HIDE_LENGTH || seen.has(term.toLowerCase())) continue;
      seen.add(term.toLowerCase());
      out.push(term);
      if (out.length >= MAX_ALSO_HIDE_TERMS) return out;
    }
  }
  return out;
}

/**
 * The effective team settings. `trusted` is the window's workspace trust now: in Restricted Mode nothing of the
 * workspace is shared and task statements are not either.
 */
export function readTeamSharing(inspect: TeamInspect, local: LocalTeamChoices, trusted: boolean): TeamSharingSettings {
  const ws = inspect('shareWorkspaceKnowledge');
  const repoSaysNoWorkspace = repoValues(ws).some((v) => v === false);
  const userWorkspace = local.shareWorkspaceKnowledge ?? (typeof ws?.globalValue === 'boolean' ? ws.globalValue : ws?.defaultValue !== false);
  const workspaceOffReason = !trusted ? 'the workspace is in Restricted Mode'
    : repoSaysNoWorkspace ? "this workspace's settings turn oel.team.shareWorkspaceKnowledge off"
      : !userWorkspace ? (local.shareWorkspaceKnowledge === false ? 'you turned sharing off for this workspace' : 'your settings turn oel.team.shareWorkspaceKnowledge off') : undefined;

  const def = inspect('shareByDefault');
  const userDefault = local.shareByDefault ?? (def?.globalValue === 'yes' ? 'yes' : 'no');
  const shareByDefault = repoValues(def).some((v) => v === 'no') ? 'no' : userDefault;

  const ts = inspect('shareTaskStatements');
  const shareTaskStatements = trusted && ts?.globalValue === true && !repoValues(ts).some((v) => v === false);

  // A schedule sends without a preview, so only the user's settings may set one (a repository could only make it manual).
  const sch = inspect('schedule');
  const userSchedule = sch?.globalValue === 'daily' || sch?.globalValue === 'weekly' ? sch.globalValue : 'manual';
  const schedule: SendSchedule = repoValues(sch).some((v) => v === 'manual') ? 'manual' : userSchedule;

  // Hiding more is always allowed: the repository's terms add to the user's.
  const hide = inspect('alsoHide');
  const alsoHide = cleanTerms([hide?.globalValue, ...repoValues(hide)]);

  return { shareWorkspaceKnowledge: workspaceOffReason === undefined, shareByDefault, shareTaskStatements, schedule, alsoHide, ...(workspaceOffReason ? { workspaceOffReason } : {}) };
}
