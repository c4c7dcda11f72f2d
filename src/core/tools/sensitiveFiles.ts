/**
 * Files that change what the editor or the agent will execute. An edit the agent proposes to one of them always asks
 * the user, whatever `oel.approval.edit` says: with `auto`, a prompt injection in a README could otherwise point a VS
 * Code task, a git hook or an npm script at any program, which then runs the next time the user (or the agent) does
 * something ordinary.
 *
 * Paths are compared case-insensitively, and with Windows' trailing dots and spaces dropped, on every platform: on a
 * case-insensitive volume `.VSCode/Settings.json` is the same file as `.vscode/settings.json`, and asking once too
 * often on a case-sensitive one costs nothing.
 */

/** Why an edit of this file always asks; `undefined` for an ordinary file. Pure. */
export function sensitiveEditReason(relativePath: string, before: string, after: string): string | undefined {
  const parts = relativePath.split(/[\\/]+/).filter((p) => p && p !== '.').map((p) => p.toLowerCase().replace(/[. ]+$/, ''));
  if (!parts.length) return undefined;
  const name = parts[parts.length - 1];
  const parent = parts[parts.length - 2];
  const below = (dir: string) => parts.slice(0, -1).includes(dir);

  if (parent === '.vscode' && (name === 'settings.json' || name === 'tasks.json' || name === 'launch.json')) {
    return `${relativePath} is VS Code configuration: settings, tasks and launch configurations can make the editor run programs. Edits to it always ask.`;
  }
  if (name.endsWith('.code-workspace')) {
    return `${relativePath} is a VS Code workspace file: its settings and tasks can make the editor run programs. Edits to it always ask.`;
  }
  if (parent === '.devcontainer' || name === '.devcontainer.json') {
    return `${relativePath} is dev container configuration: its commands run when the container is built or opened. Edits to it always ask.`;
  }
  const git = parts.lastIndexOf('.git');
  if (git >= 0 && (parts[git + 1] === 'hooks' || (parts[git + 1] === 'config' && git === parts.length - 2))) {
    return `${relativePath} is git configuration or a git hook: git runs hooks and configured programs on ordinary commands. Edits to it always ask.`;
  }
  if (below('.oel')) {
    return `${relativePath} is OEL Agent configuration: it changes what the agent is told and does. Edits to it always ask.`;
  }
  if (SHELL_STARTUP.has(name) || (name === 'config.fish' && parent === 'fish')) {
    return `${relativePath} is a shell startup file: the shell runs it for every new terminal and command. Edits to it always ask.`;
  }
  if (PACKAGE_MANAGER_CONFIG.has(name)) {
    return `${relativePath} configures a package manager, which can name programs to run for every install or script. Edits to it always ask.`;
  }
  if (name === 'package.json') {
    const changed = changedRunFields(before, after);
    if (changed) return `This edit changes ${changed} of ${relativePath}: package managers run these on install, test or build. Edits to them always ask.`;
  }
  return undefined;
}

/** Files a shell (or direnv) runs by itself. */
const SHELL_STARTUP = new Set([
  '.bashrc', '.bash_profile', '.bash_login', '.bash_logout', '.profile', '.zshrc', '.zshenv', '.zprofile', '.zlogin', '.zlogout',
  '.kshrc', '.mkshrc', '.cshrc', '.tcshrc', '.login', '.logout', '.envrc',
]);

/** Package manager configuration that can name a program to run (script-shell, node-options, yarnPath...). */
const PACKAGE_MANAGER_CONFIG = new Set(['.npmrc', '.yarnrc', '.yarnrc.yml', '.pnpmfile.cjs', 'pnpm-workspace.yaml', 'bunfig.toml']);

/** package.json fields that make a package manager or a git hook manager run something. */
const RUN_FIELDS = ['scripts', 'bin', 'packageManager', 'gypfile', 'husky', 'simple-git-hooks', 'pre-commit', 'lint-staged'];

/**
 * The run fields an edit of a package.json changes, in words ("its scripts"), or undefined when it changes none. A
 * side that is not a JSON object counts as changing all of them: what is not understood cannot be vouched for.
 */
function changedRunFields(before: string, after: string): string | undefined {
  const parse = (text: string): Record<string, unknown> | null => {
    if (text.trim() === '') return {};
    try {
      const v: unknown = JSON.parse(text);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const a = parse(before);
  const b = parse(after);
  if (!a || !b) return 'the content (it does not parse as a JSON object, so its "scripts" cannot be checked)';
  const changed = RUN_FIELDS.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));
  return changed.length ? changed.map((f) => `"${f}"`).join(', ') : undefined;
}
