/**
 * The environment of the commands the agent runs. The extension host's own environment carries variables meant for
 * VS Code's processes (`ELECTRON_RUN_AS_NODE` turns any Electron binary into a Node that runs what it is given,
 * `VSCODE_*` hold IPC handles into the editor, `GIT_ASKPASS` points git at VS Code's credential helper, `NODE_OPTIONS`
 * can preload code). So commands get an allow-list: what a developer's shell commands need to find their tools,
 * their home, their locale, their temp folder and their proxy, and nothing else. See docs/extension.md.
 */

/** Variables passed through by exact name (compared case-insensitively: Windows spells them as it likes). */
const ALLOWED = new Set([
  // where programs and the user are
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TMP', 'TEMP', 'TZ', 'TERM', 'COLORTERM', 'NO_COLOR', 'DISPLAY', 'WAYLAND_DISPLAY',
  'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_RUNTIME_DIR',
  // locale
  'LANG', 'LANGUAGE',
  // network: proxies and the certificates a company proxy needs
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'FTP_PROXY',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE',
  // git over ssh (the command runs as the user, who can read their own keys anyway)
  'SSH_AUTH_SOCK',
  // toolchains installed outside PATH's usual places
  'JAVA_HOME', 'GOPATH', 'GOROOT', 'GOMODCACHE', 'CARGO_HOME', 'RUSTUP_HOME', 'NVM_DIR', 'VOLTA_HOME', 'PNPM_HOME', 'BUN_INSTALL', 'DENO_DIR',
  'PYENV_ROOT', 'VIRTUAL_ENV', 'CONDA_PREFIX', 'CONDA_DEFAULT_ENV', 'DOTNET_ROOT', 'ANDROID_HOME', 'ANDROID_SDK_ROOT', 'GEM_HOME', 'GEM_PATH',
  // Windows: without these many programs do not start
  'SYSTEMROOT', 'SYSTEMDRIVE', 'WINDIR', 'COMSPEC', 'PATHEXT', 'USERPROFILE', 'USERNAME', 'USERDOMAIN', 'HOMEDRIVE', 'HOMEPATH',
  'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA', 'PROGRAMFILES', 'PROGRAMFILES(X86)', 'PROGRAMW6432', 'COMMONPROGRAMFILES',
  'NUMBER_OF_PROCESSORS', 'PROCESSOR_ARCHITECTURE', 'OS',
]);

/** Variables passed through by prefix: every locale category. */
const ALLOWED_PREFIXES = ['LC_'];

/** Whether a variable of the editor's environment reaches the agent's commands. Pure. */
export function isCommandEnvAllowed(name: string): boolean {
  const upper = name.toUpperCase();
  return ALLOWED.has(upper) || ALLOWED_PREFIXES.some((p) => upper.startsWith(p));
}

/** The environment for the agent's commands: the allowed part of `env` (default: this process's). Pure. */
export function commandEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && isCommandEnvAllowed(name)) out[name] = value;
  }
  // Commands run without a terminal: a program that asks for a password or pages its output must not wait forever.
  out.TERM ??= 'dumb';
  out.GIT_TERMINAL_PROMPT = '0';
  return out;
}
