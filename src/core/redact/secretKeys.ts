/**
 * Whether a name (an environment variable, a config key, a command-line flag, an XML tag, a header) names a secret,
 * and whether the value written after it is a literal secret rather than a reference to one. Used by the contextual
 * detectors in `secretContexts.ts`.
 */

const SECRET_WORDS = new Set([
  'password', 'passwd', 'passphrase', 'pass', 'pwd', 'pw', 'passcode', 'secret', 'secrets', 'token', 'apikey', 'apitoken',
  'accesstoken', 'authtoken', 'authkey', 'auth', 'credential', 'credentials', 'creds', 'cred', 'privatekey',
  'secretkey', 'accountkey', 'sas', 'psk', 'storepass', 'keypass', 'srcstorepass', 'deststorepass', 'salt',
]);

/** Two adjacent words that together name a secret ("api key", "signing key"). */
const SECRET_PAIRS = new Set([
  'api key', 'access key', 'secret key', 'private key', 'signing key', 'encryption key', 'master key', 'account key',
  'client key', 'license key', 'licence key', 'session key', 'shared key', 'app key', 'consumer key', 'subscription key',
  'service key', 'admin key', 'write key', 'deploy key', 'root key', 'auth key', 'webhook key', 'hmac key', 'jwt key',
  'cookie key', 'secret id', 'sas key', 'primary key', 'secondary key', 'ingest key', 'license code', 'key data',
]);

/**
 * A last word that says the value is about the secret, not the secret itself: `PASSWORD_FILE=/run/secrets/db`,
 * `token_type: bearer`, `max_tokens: 100`, `password_min_length: 12`, `TOKEN_URL=https://…`.
 */
const NOT_VALUE_SUFFIXES = new Set([
  'file', 'files', 'path', 'dir', 'directory', 'url', 'uri', 'endpoint', 'host', 'hostname', 'port', 'name', 'names',
  'type', 'types', 'header', 'field', 'env', 'var', 'variable', 'prefix', 'suffix', 'policy', 'length', 'len', 'ttl',
  'expiry', 'expires', 'expiration', 'timeout', 'count', 'size', 'max', 'min', 'limit', 'enabled', 'enable',
  'disabled', 'required', 'version', 'format', 'algorithm', 'alg', 'location', 'provider', 'source', 'ref', 'refs',
  'mode', 'id', 'ids', 'hint', 'label', 'prompt', 'placeholder', 'pattern', 'regex', 'rule', 'rules', 'usage', 'used',
  'manager', 'store', 'storage', 'service', 'handler', 'method', 'methods', 'strategy', 'scheme', 'scope', 'scopes',
  'flow', 'class', 'schema', 'validator', 'validation', 'strength', 'reset', 'changed', 'at', 'updated', 'created',
  'digest', 'backend', 'command', 'cmd', 'script', 'helper', 'kind', 'index', 'mount', 'arn', 'version', 'rotation',
  'stdin', 'rounds', 'iterations', 'bits', 'check', 'level', 'lifetime', 'duration', 'interval', 'period', 'days',
  'seconds', 'secs', 'minutes', 'hours', 'ms', 'selector', 'client', 'user', 'username',
]);

/** The words of a name: `DB_PASSWORD` → db, password; `clientSecret` → client, secret; `--api-key` → api, key. */
export function nameWords(name: string): string[] {
  return name
    .replace(/^\$env:/i, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** True when `name` names a secret value (see the word lists above). */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0 || words.length > 12) return false;
  const last = words[words.length - 1];
  if (words.length >= 2 && `${words[words.length - 2]} ${last}` === 'secret id') return true;
  const envStyle = /^[A-Z][A-Z0-9_]*$/.test(name.replace(/^\$?env:/i, '').replace(/^[-$]+/, ''));
  // `OPENAI_KEY=…` and `MAPS_KEY=…`: in an environment variable a last word "key" means a key value.
  if (envStyle && last === 'key' && words.length >= 2) return true;
  if (NOT_VALUE_SUFFIXES.has(last) && words.length > 1 && !words.join(' ').endsWith('private key id')) {
    // `ACCESS_KEY`, `SECRET_KEY`, `client-key` still name a value: the pair decides below.
    if (last !== 'key' && last !== 'data') return false;
  }
  if (words.join(' ').includes('private key id')) return true;
  for (let i = 0; i < words.length; i++) {
    // Run-together names: PGPASSWORD, DBPASS, BEARERTOKEN, MYSECRET.
    if (words[i].length > 6 && /(?:password|passwd|passphrase|secret|token|apikey)$/.test(words[i])) return true;
    if (SECRET_WORDS.has(words[i])) {
      // `auth` alone is mostly a switch or a section (`auth: true`, `auth:`); it names a value only when last.
      if (words[i] === 'auth' && i !== words.length - 1) continue;
      if (words[i] === 'salt' && words.length > 2) continue;
      return true;
    }
    if (i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${words[i]}`)) return true;
  }
  return false;
}

/** Values that are types, switches, enum words or placeholders, never a secret. */
const NOT_SECRET_VALUES = new Set([
  'true', 'false', 'null', 'none', 'nil', 'undefined', 'yes', 'no', 'on', 'off', 'required', 'optional', 'string',
  'str', 'number', 'int', 'integer', 'bool', 'boolean', 'any', 'object', 'bytes', 'char', 'text', 'hidden', 'include',
  'omit', 'same-origin', 'inherit', 'default', 'auto', 'enabled', 'disabled', 'env', 'file', 'secret', 'secrets',
  'password', 'passwd', 'token', 'basic', 'bearer', 'oauth', 'oauth2', 'jwt', 'digest', 'ntlm', 'kerberos', 'ldap',
  'saml', 'oidc', 'session', 'cookie', 'apikey', 'api_key', 'changeme', 'example', 'placeholder', 'dummy', 'redacted',
  'replaceme', 'replace_me', 'replace-me', 'todo', 'tbd', 'unknown', 'empty', 'mask', 'masked', 'sensitive', 'value',
  'secretstr', 'securestring', 'keyof', 'typeof', 'readonly', 'public', 'private', 'protected', 'static', 'final',
  'const', 'let', 'var', 'new', 'await', 'function', 'lambda', 'return', 'this', 'self', 'local', 'global', 'prompt',
  'stdin', 'ask', 'interactive', 'generate', 'generated', 'random', 'keychain', 'keyring', 'vault', 'kms', 'ssm',
]);

/** Receivers whose members are configuration lookups, not literals: `process.env.X`, `config.secret`, `self.token`. */
const CODE_RECEIVERS = new Set([
  'this', 'self', 'cls', 'process', 'os', 'config', 'conf', 'cfg', 'settings', 'env', 'environ', 'app', 'options',
  'opts', 'props', 'params', 'args', 'argv', 'request', 'req', 'res', 'ctx', 'context', 'secrets', 'vars', 'var',
  'local', 'locals', 'module', 'data', 'values', 'inputs', 'input', 'steps', 'needs', 'matrix', 'github', 'runner',
  'credentials', 'creds', 'user', 'auth', 'window', 'global', 'globalthis', 'import', 'deno', 'bun', 'system',
  'environment', 'configurationmanager', 'parameters', 'state', 'session', 'client', 'response', 'result', 'body',
  'form', 'payload', 'event', 'e', 'account', 'token', 'keys', 'key', 'cred', 'secret', 'store', 'flags', 'cli',
  'properties', 'spec', 'metadata', 'vault', 'aws', 'azure', 'gcp', 'k8s', 'helm', 'chart', 'release', 'util', 'utils',
]);

/**
 * True when `value`, written after a secret's name, is a literal worth removing; false for references
 * (`$DB_PASSWORD`, `${{ secrets.X }}`, `process.env.X`, `os.getenv("X")`), types (`string`), switches, placeholders
 * (`<your-token>`, `your-api-key-here`, `***`), numbers such as lengths and lifetimes, paths and URLs. `prose` says the
 * value was unquoted after a colon and followed by more words, as in "password: never reuse it".
 */
export function isLiteralSecretValue(value: string, name: string, opts: { quoted: boolean; prose: boolean }): boolean {
  const v = value.trim();
  if (v.length < 4 || v.length > 2000) return false;
  const lower = v.toLowerCase();
  if (NOT_SECRET_VALUES.has(lower)) return false;
  // YAML anchors and aliases are lower-case names (`*db_password`); `*MwO3eaytO` is a password.
  if (/^[&*][a-z_][a-z0-9_.-]*$/.test(v)) return false;
  // References: $VAR, ${VAR}, $(cmd), %VAR%, {{ .Values.x }}.
  if (/^\$(?:[{(]|[A-Za-z_]\w*$)|^%[A-Za-z_]\w*%$|^\{\{|^\{%|^<[^>]*>$|^\[REDACTED|^<(?:secret|email|host|user|home|ip|phone|name|org|repo|term)(?:-\d+)?>$/i.test(v)) return false;
  if (/^(?:x{3,}|\*{3,}|\.{3,}|…+|-+|_+|#+|0+|\?+)$/i.test(v) || /(.)\1{7,}/.test(v)) return false;
  // What CI systems print instead of a value: Travis's [secure], [REDACTED], [hidden], [masked], [FILTERED].
  if (/^\[[A-Za-z _-]{1,20}\]$/.test(v)) return false;
  if (/^(?:your|my|the|some|insert|enter|put|add)[-_ ]|[-_ ](?:here|goes[-_ ]here)$|^<|>$|^(?:xxx|todo|fixme)/i.test(v)) return false;
  if (/^\d{1,9}$/.test(v) || /^\d+(?:\.\d+)?(?:ms|s|m|h|d|kb|mb|gb|%)?$/i.test(v)) return false;
  if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:[\\/]|file:)/.test(v)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !/:\/\/[^/\s]*:[^/\s]*@/.test(v)) return false;
  // Code: a call or index on an identifier chain, or a member chain on a known receiver.
  if (/^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*\s*(?:[([]$|\(.*\)$|\[.*\]$)/.test(v)) return false;
  const chain = /^([A-Za-z_$][\w$]*)(?:\??\.[A-Za-z_$][\w$]*)+$/.exec(v);
  if (chain && CODE_RECEIVERS.has(chain[1].toLowerCase())) return false;
  if (!opts.quoted) {
    if (opts.prose && /^[a-z]{1,15}$/.test(v)) return false;
    // An unquoted bare identifier that repeats the name's idea is a variable: `token=token`, `password: newPassword`.
    if (/^[A-Za-z_][A-Za-z_]*$/.test(v)) {
      const words = new Set(nameWords(name));
      if (nameWords(v).some((w) => words.has(w) || SECRET_WORDS.has(w))) return false;
      if (/^[a-z]+(?:[A-Z][a-z]+)+$/.test(v) && v.length > 12) return false;
      if (/^[A-Z][a-z]+(?:[A-Z][a-z]+)+$/.test(v)) return false;
    }
  }
  return true;
}
