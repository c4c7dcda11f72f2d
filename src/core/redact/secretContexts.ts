/**
 * Secrets recognised by what names them rather than by their shape: `DB_PASSWORD=…` in a `.env` file, `"api_key":
 * "…"` in JSON, `password: …` in YAML, `Password=…;` in a connection string, `--token …` and `mysql -p…` on a command
 * line, `<password>…</password>`, `define('API_KEY', '…')`. Which names count and which values are references (and so
 * stay) is decided in `secretKeys.ts`.
 */
import { isLiteralSecretValue, isSecretName, nameWords } from './secretKeys';
import type { SecretPattern } from './secretPatterns';

/** A secret found in a text: `text.slice(start, end)` is the secret; `kind` says what it is. */
export interface SecretFinding {
  start: number;
  end: number;
  kind: string;
}

function kindFor(name: string): string {
  const words = nameWords(name);
  if (words.some((w) => /^(?:pass(?:word|wd|phrase|code)?|pwd|storepass|keypass|srcstorepass|deststorepass)$/.test(w))) return 'password';
  if (words.includes('token') || words.some((w) => w.endsWith('token'))) return 'token';
  return 'secret';
}

interface ValueRange { start: number; end: number; quoted: boolean }

const QUOTES = new Set(['"', "'", '`']);

/** Reads the value that starts at `i`: quoted (also JSON-escaped `\"…\"`) or up to the first terminator. */
function readValue(text: string, i: number, context: 'plain' | 'flow' | 'query' | 'odbc'): ValueRange | null {
  if (i >= text.length) return null;
  const c = text[i];
  if (c === '\\' && QUOTES.has(text[i + 1])) {
    const close = text.indexOf(`\\${text[i + 1]}`, i + 2);
    if (close < 0 || close - i > 2000) return null;
    return { start: i + 2, end: close, quoted: true };
  }
  if (QUOTES.has(c)) {
    let j = i + 1;
    while (j < text.length && text[j] !== c && text[j] !== '\n' && j - i < 2000) j++;
    return { start: i + 1, end: j, quoted: true };
  }
  let j = i;
  while (j < text.length && j - i < 2000) {
    const ch = text[j];
    if (/\s/.test(ch) || QUOTES.has(ch) || ch === '<') break;
    if (ch === '\\' && /[nrt"']/.test(text[j + 1] ?? '')) break;
    if (context === 'flow' && /[,}\])]/.test(ch)) break;
    if ((context === 'query' || context === 'plain') && ch === '&' && /^&[\w.-]{1,40}=/.test(text.slice(j, j + 42))) break;
    if (ch === ';' && (context === 'odbc' || /^;\s*[A-Za-z][\w ]{0,30}=/.test(text.slice(j, j + 34)))) break;
    j++;
  }
  // A sentence may end right after the value: "set DB_PASSWORD=hunter2." keeps its full stop.
  while (j > i && /[.,;:)]/.test(text[j - 1])) j--;
  return j > i ? { start: i, end: j, quoted: false } : null;
}

function contextBefore(text: string, keyStart: number): 'plain' | 'flow' | 'query' | 'odbc' {
  let k = keyStart - 1;
  while (k >= 0 && (text[k] === ' ' || text[k] === '\t' || text[k] === '"' || text[k] === "'")) k--;
  const p = text[k];
  if (p === '?' || p === '&') return 'query';
  if (p === ';') return 'odbc';
  if (p === '{' || p === ',' || p === '(' || p === '[') return 'flow';
  return 'plain';
}

/** `NAME=value`, `"name": "value"`, `name: value`, `name := "value"`, `name => 'value'`, `$env:NAME = "value"`. */
const ASSIGNMENT = /(?<![A-Za-z0-9_])(\\?["']|)((?:\$env:)?[A-Za-z_][A-Za-z0-9_.-]{0,80})\1\]?[ \t]{0,20}(:=|=>|=(?!=)|:(?![:/]))[ \t]{0,20}/g;

// `.env` and `.properties` lines whose value itself starts with '=' (`POSTGRES_PASSWORD==b=0Ge…`), which the
// assignment pattern leaves alone because `==` is a comparison in code.
const LINE_START_DOUBLE_EQUALS = /^[ \t]*(?:[+$>#][ \t]+)?(?:export[ \t]+|ENV[ \t]+|set[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]{0,80})=(=[^\s"']{3,2000})/gm;

// `KEY==value` elsewhere (`ENV APP_KEY==…`, `;Password==…;`): only a value that cannot be the right side of a
// comparison in code (`token==null`, `password==input`, `x==1`).
const DOUBLE_EQUALS = /(?<![\w.$-])([A-Za-z_][A-Za-z0-9_.-]{0,80})==([^\s"'=;,)\]}][^\s"';`]{2,2000})/g;

/** Drops closing brackets at the end that have no opening partner in the value: `y)` of `if (a==y)`. */
function trimUnbalanced(v: string): string {
  let out = v;
  for (;;) {
    const last = out[out.length - 1];
    const open = { ')': '(', ']': '[', '}': '{' }[last as ')' | ']' | '}'];
    if (!open || out.split(open).length >= out.split(last).length) return out;
    out = out.slice(0, -1);
  }
}

function findAssignments(text: string, out: SecretFinding[]): void {
  if (text.includes('==')) {
    for (const m of text.matchAll(DOUBLE_EQUALS)) {
      const value = trimUnbalanced(m[2]).replace(/[.,]+$/, '');
      if (!isSecretName(m[1]) || /^(?:null|None|nil|true|false|undefined|\d+|[A-Za-z_$][A-Za-z_$.]*\d*(?:\(\))?)$/.test(value)) continue;
      const start = m.index + m[1].length + 1;
      out.push({ start, end: start + 1 + value.length, kind: kindFor(m[1]) });
    }
    for (const m of text.matchAll(LINE_START_DOUBLE_EQUALS)) {
      if (!isSecretName(m[1])) continue;
      const start = m.index + m[0].length - m[2].length;
      out.push({ start, end: start + m[2].length, kind: kindFor(m[1]) });
    }
  }
  for (const m of text.matchAll(ASSIGNMENT)) {
    const name = m[2];
    const bareKey = /^(?:key|Key|KEY)$/.test(name);
    if (!bareKey && !isSecretName(name)) continue;
    const keyStart = m.index + m[1].length;
    // `scheme://user:password@host` is the URL patterns' business; read as `user: value` it would swallow the host.
    if (text.startsWith('//', keyStart - 2)) continue;
    const valueAt = m.index + m[0].length;
    const v = readValue(text, valueAt, contextBefore(text, keyStart));
    if (!v) continue;
    const value = text.slice(v.start, v.end);
    const prose = !v.quoted && m[3] === ':' && /^ +[A-Za-z]/.test(text.slice(v.end, v.end + 3));
    if (!isLiteralSecretValue(value, name, { quoted: v.quoted, prose })) continue;
    // A bare "key" is a secret only when its value looks generated (kaggle.json's "key": "3f2e…").
    if (bareKey && !(value.length >= 20 && /^[A-Za-z0-9_\-+/=.]+$/.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value) && !/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(value))) continue;
    out.push({ start: v.start, end: v.end, kind: kindFor(name) });
  }
}

/** `--password value`, `--api-key "value"`, `-storepass value` (the `=` form is an assignment). */
const FLAG_WITH_SPACE = /(?<![\w-])(--?)([A-Za-z][A-Za-z0-9_-]{1,40})[ \t]+(?=\S)(?!-[A-Za-z]{1,2}(?:[\s=]|$)|--[a-z])/g;
const SINGLE_DASH_SECRET_FLAGS = /^(?:password|passwd|pass|passphrase|storepass|keypass|srcstorepass|deststorepass|srckeypass|destkeypass|token|apikey|secret|passin|passout)$/i;

function findFlags(text: string, out: SecretFinding[]): void {
  for (const m of text.matchAll(FLAG_WITH_SPACE)) {
    const [, dashes, name] = m;
    if (dashes === '-' && !SINGLE_DASH_SECRET_FLAGS.test(name)) continue;
    if (/^(?:no|skip|use|with|enable|disable|require|allow|show|print|generate|rotate|refresh|reset|prompt|ask|save|store|read|from)-/i.test(name)) continue;
    if (!isSecretName(name)) continue;
    const v = readValue(text, m.index + m[0].length, 'plain');
    if (!v) continue;
    const value = text.slice(v.start, v.end);
    if (!isLiteralSecretValue(value, name, { quoted: v.quoted, prose: false })) continue;
    out.push({ start: v.start, end: v.end, kind: kindFor(name) });
  }
}

/** `<password>value</password>`, `<add key="ApiKey" value="…"/>`, `define('API_KEY', '…')`, `setPassword("…")`. */
const XML_ELEMENT = /<([A-Za-z_][\w.:-]{0,60})>([^<\n]{1,500})<\/\1>/dg;
const KEY_VALUE_ATTRS = /\b(?:key|name)\s*=\s*["']([^"'\n]{1,80})["']\s+value\s*=\s*["']([^"'\n]{1,500})["']/dg;
const TWO_STRING_CALL = /\(\s*(["'])([\w.-]{2,80})\1\s*,\s*(["'])([^"'\n]{1,500})\3\s*[,)]/dg;
const SETTER_CALL = /(?<![\w$])((?:set|with|use)?[A-Z]?[A-Za-z]{0,40})\(\s*(["'])([^"'\n]{1,500})\2\s*\)/dg;

function findMarkupAndCalls(text: string, out: SecretFinding[]): void {
  const add = (name: string, m: RegExpMatchArray, group: number, quoted = true): void => {
    const [s, e] = m.indices![group];
    if (isSecretName(name) && isLiteralSecretValue(text.slice(s, e), name, { quoted, prose: false })) out.push({ start: s, end: e, kind: kindFor(name) });
  };
  if (text.includes('</')) for (const m of text.matchAll(XML_ELEMENT)) add(m[1], m, 2);
  if (/value\s*=/.test(text)) for (const m of text.matchAll(KEY_VALUE_ATTRS)) add(m[1], m, 2);
  if (text.includes('(')) {
    for (const m of text.matchAll(TWO_STRING_CALL)) add(m[2], m, 4);
    for (const m of text.matchAll(SETTER_CALL)) {
      // `getSecret("db")` and `os.getenv("TOKEN")` name a secret to look up; setters and builders carry one.
      if (/^(?:get|read|fetch|load|find|lookup|delete|remove|has|is|check|validate|verify|require|rotate|generate|hash|compare)/i.test(m[1])) continue;
      add(m[1], m, 3);
    }
  }
}

// A value after a flag: quoted, or a word that does not look like the next option (`-p -h host`), though it may start
// with a dash (`-p -t1TAnY…`). `q` is the number of its quote group, for patterns that capture something before it.
const valueAfter = (q: number): string =>
  String.raw`(?:(["'])([^"'\n]{1,300})` + `\\${q}` + String.raw`|((?!-[A-Za-z]{1,2}(?:[\s=]|$)|--[a-z][a-z0-9-]*(?:[\s=]|$))[^\s"'|;&][^\s"'|;&]{0,300}))`;
const VALUE = valueAfter(1);
const CMD_GAP = String.raw`[^\n|;&]{0,200}?`;

/** Tools that take a password after a short flag, and other command-line and file shapes. */
export const COMMAND_PATTERNS: SecretPattern[] = [
  // mysql -u root -pS3cret / -p'S3cret' (attached: a separate word after -p is the database name).
  { kind: 'password', re: new RegExp(String.raw`\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlsh|mariadb|mariadb-dump|mysqlpump)\b${CMD_GAP}\s-p(?:(["'])([^"'\n]{1,300})\1|([^\s"'|;&][^\s"'|;&]{0,300}))`, 'dg'), group: [2, 3] },
  { kind: 'password', re: new RegExp(String.raw`\b(?:docker|podman|nerdctl|buildah|skopeo|helm|oras|crane|cf|oc|argocd|jfrog|twine|regctl)\b(?:\s+[\w-]+){0,3}\s+login\b${CMD_GAP}\s(?:-p|--password)(?:=|\s+)${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'password', re: new RegExp(String.raw`\bsshpass\b(?:\s+-[a-oq-zA-Z]\S*)*\s+-p\s*${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'password', re: new RegExp(String.raw`\b(?:mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport|mongostat|mongotop|rabbitmqadmin|influx|cqlsh|az\s+login|vertica|vsql)\b${CMD_GAP}\s(?:-p|--password|--pass)(?:=|\s+)${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'password', re: new RegExp(String.raw`\bredis-cli\b${CMD_GAP}\s(?:-a|--pass|--askpass)(?:=|\s+)${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'password', re: new RegExp(String.raw`\b(?:sqlcmd|bcp|osql|isql|sqlpackage)\b${CMD_GAP}\s-P\s*${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'password', re: new RegExp(String.raw`\bldap[a-z]{2,10}\b${CMD_GAP}\s-w\s+${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'password', re: new RegExp(String.raw`\b(?:zip|unzip|7z|7za|7zr|rar|unrar)\b${CMD_GAP}\s-(?:P\s+|p)${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'password', re: /\bpass:([^\s"'|;&]{1,300})/dg, group: 1 },
  { kind: 'password', re: new RegExp(String.raw`\bopenssl\b${CMD_GAP}\s-k\s+${VALUE}`, 'dg'), group: [2, 3] },
  // curl -u user:pass, --user, --proxy-user; httpie -a user:pass; smbclient -U user%pass
  { kind: 'password', re: /(?:\s-u|\s-a|--user|--proxy-user|--auth|--basic-auth)(?:=|\s+)(["']?)[^\s:"'%]{1,128}:(?!\/\/)([^\s"']{1,300})\1/dg, group: 2 },
  { kind: 'password', re: /\s-U\s*(["']?)[^\s%"']{1,128}%([^\s"']{1,300})\1/dg, group: 2 },
  { kind: 'password', re: /\b(?:sqlplus|expdp|impdp|exp|imp|rman|sqlldr|dgmgrl)\s+(?:-\w+\s+)*["']?[A-Za-z0-9_$#]{1,30}\/([^\s@/"']{1,128})(?=[@\s"']|$)/dg, group: 1 },
  { kind: 'password', re: /\bhtpasswd\s+(?:-[a-zA-Z]+\s+)*-[a-zA-Z]*b[a-zA-Z]*\s+(?:-[a-zA-Z]+\s+)*\S+\s+\S+\s+(["']?)([^\s"']+)\1/dg, group: 2 },
  { kind: 'password', re: /\becho\s+(["']?)([^\s"'|$][^\s"'|]{3,300})\1\s*\|[^|\n]{0,200}?--password-stdin/dg, group: 2 },
  // gh secret set NAME --body VALUE; aws ssm put-parameter … --type SecureString … --value VALUE
  { kind: 'secret', re: new RegExp(String.raw`\bgh\s+secret\s+set\s+\S+${CMD_GAP}\s(?:--body|-b)(?:=|\s+)${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'secret', re: new RegExp(String.raw`\baws\s+ssm\s+put-parameter\b(?=[^\n]*SecureString)${CMD_GAP}\s--value(?:=|\s+)${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'token', re: /\bvault\s+login\s+(?:-[\w-]+(?:=\S+)?\s+)*([A-Za-z0-9._-]{20,})/dg, group: 1 },
  // rabbitmqctl add_user NAME PASS, net user NAME PASS /add, echo "user:pass" | chpasswd
  { kind: 'password', re: new RegExp(String.raw`\brabbitmqctl\s+(?:add_user|change_password)\s+\S+\s+${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'password', re: new RegExp(String.raw`\bnet\s+user\s+\S+\s+${VALUE}(?=\s+\/(?:add|domain))`, 'dgi'), group: [2, 3] },
  { kind: 'password', re: /\becho\s+(["']?)[\w.-]{1,64}:([^\s"'|]{1,300})\1\s*\|\s*(?:sudo\s+)?chpasswd/dg, group: 2 },
  // SQL: CREATE USER … IDENTIFIED BY '…', ALTER ROLE … PASSWORD '…', SET PASSWORD … = '…'
  { kind: 'password', re: /\bIDENTIFIED\s+(?:WITH\s+\w+\s+)?BY\s+(?:PASSWORD\s+)?(['"])([^'"\n]{1,300})\1/dgi, group: 2 },
  { kind: 'password', re: /\b(?:USER|ROLE|LOGIN)\b[^;\n]{0,120}?\bPASSWORD\s+(?:=\s*)?(['"])([^'"\n]{1,300})\1/dgi, group: 2 },
  { kind: 'password', re: /\bSET\s+PASSWORD\b[^;\n]{0,120}?=\s*(?:PASSWORD\s*\(\s*)?(['"])([^'"\n]{1,300})\1/dgi, group: 2 },
  // `wandb login KEY`, `ngrok config add-authtoken TOKEN`, `heroku auth:token`-style logins with the token inline
  { kind: 'token', re: new RegExp(String.raw`\b(?:wandb|huggingface-cli|hf|vault|doctl|flyctl|fly|pulumi|turso|railway|ngrok|netlify|vercel|heroku|gh|glab|npm|yarn|twine|snyk|sentry-cli|codecov|circleci|terraform|cloudflared|tailscale|modal|replicate)\b[^\n|;&]{0,40}?\s(?:login|auth|authtoken|add-authtoken|--token|--auth-token|--authkey|--api-key|--key|-t)(?:=|\s+)${VALUE}`, 'dg'), group: [2, 3], accept: (v) => v.length >= 16 && /\d/.test(v) && /[A-Za-z]/.test(v) },
  // mosquitto clients take the password after -P
  { kind: 'password', re: new RegExp(String.raw`\bmosquitto_(?:pub|sub|rr)\b${CMD_GAP}\s-P\s+${VALUE}`, 'dg'), group: [2, 3] },
  // lftp -u user,pass; xfreerdp /p:pass; rdesktop -p pass
  { kind: 'password', re: /\blftp\b[^\n|;&]{0,200}?\s-u\s+(["']?)[^\s,"']{1,64},([^\s"']{1,300})\1/dg, group: 2 },
  { kind: 'password', re: new RegExp(String.raw`\b(?:xfreerdp|wlfreerdp|sdl-freerdp|freerdp)\b${CMD_GAP}\s\/p(?:assword)?:${VALUE}`, 'dg'), group: [2, 3] },
  { kind: 'password', re: new RegExp(String.raw`\brdesktop\b${CMD_GAP}\s-p\s+${VALUE}`, 'dg'), group: [2, 3] },
  // aws configure set aws_secret_access_key VALUE, npm config set //registry/:_authToken VALUE
  { kind: 'secret', re: new RegExp(String.raw`\b(?:configure|config)\s+set\s+(?:--\S+\s+)*([\w.:/-]{1,120})\s+${valueAfter(2)}`, 'dg'), group: [3, 4], accept: (_v, text, start) => isSecretName(/([\w.:/-]+)\s+["']?$/.exec(text.slice(Math.max(0, start - 130), start))?.[1]?.replace(/^.*[:/]/, '') ?? '') },
  // Redis AUTH [user] password (redis-cli, logs of the protocol)
  { kind: 'password', re: /(?<![\w-])AUTH[ \t]+(?:[\w-]{1,40}[ \t]+)?(["']?)([^\s"']{4,300})\1/dg, group: 2, accept: (v) => /[A-Za-z]/.test(v) && /[\d\W_]/.test(v) },
  // ~/.netrc and ~/.pgpass lines
  { kind: 'password', re: /\blogin\s+\S{1,128}\s+password\s+(\S{1,300})/dg, group: 1 },
  { kind: 'password', re: /^[^\s:#]{1,128}:(?:\d{1,5}|\*):[^\s:]{1,128}:[^\s:]{1,128}:(\S{1,300})$/dgm, group: 1 },
  // Dockerfile ENV/ARG with a space instead of '='
  { kind: 'secret', re: /^\s*(?:ENV|ARG)\s+([A-Za-z_]\w{0,80})\s+(["']?)([^\s"'=][^\n"']{0,300})\2\s*$/dgm, group: 3, accept: (_v, text, start) => isSecretName(/(?:ENV|ARG)\s+(\w+)/.exec(text.slice(Math.max(0, text.lastIndexOf('\n', start) + 1), start))?.[1] ?? '') },
];

/** `storePassword "…"` (Gradle, Groovy DSLs, nginx-like configs): a secret name, spaces, a quoted value. */
const NAME_SPACE_QUOTED = /(?<![\w.$-])([A-Za-z_][\w.-]{0,60})[ \t]+(["'])([^"'\n]{4,300})\2/g;

function findNameSpaceQuoted(text: string, out: SecretFinding[]): void {
  for (const m of text.matchAll(NAME_SPACE_QUOTED)) {
    const [all, name, q, value] = m;
    if (!isSecretName(name) || nameWords(name).length < 2 && !/^(?:password|passwd|secret|token|apikey|passphrase)$/i.test(name)) continue;
    if (!isLiteralSecretValue(value, name, { quoted: true, prose: false }) || /\s/.test(value.trim()) && !/\d/.test(value)) continue;
    const start = m.index + all.length - value.length - q.length;
    out.push({ start, end: start + value.length, kind: kindFor(name) });
  }
}

/** Environment lists of Kubernetes, ECS, GitHub Actions: `- name: DB_PASSWORD` then `value: …`, or `{"name": …, "value": …}`. */
const NAME_VALUE_PAIR = /\b(?:name|Name|key|Key)["']?[ \t]*[:=][ \t]*["']?([A-Za-z_][\w.-]{0,80})["']?[ \t]*(?:,[ \t]*|\r?\n[ \t]*(?:-[ \t]+)?)["']?(?:value|Value)["']?[ \t]*[:=][ \t]*/g;

function findNameValuePairs(text: string, out: SecretFinding[]): void {
  if (!/value/i.test(text)) return;
  for (const m of text.matchAll(NAME_VALUE_PAIR)) {
    if (!isSecretName(m[1])) continue;
    const v = readValue(text, m.index + m[0].length, 'flow');
    if (!v || !isLiteralSecretValue(text.slice(v.start, v.end), m[1], { quoted: v.quoted, prose: false })) continue;
    out.push({ start: v.start, end: v.end, kind: kindFor(m[1]) });
  }
}

/**
 * Prose: "auth token 9f8e…", "the API key is Zq8W…", "password was hunter2x!". Only a value that looks generated (16+
 * characters with letters and digits) counts, and never a hash named as one ("cache key 2fd4…" of 40 hex digits).
 */
const NAMED_IN_PROSE = /\b(token|key|secret|password|passwd|passphrase|api[ -]?key|credentials?)(?:[ \t]+(?:is|was|for \w+|of \w+|here|below))?[ \t]*[:=]?[ \t]*(["'`]?)([A-Za-z0-9][A-Za-z0-9_\-+/.~!@#$%^*]{15,200}={0,2})\2(?![A-Za-z0-9_\-+/=~!@#$%^&*])/gi;

// "the admin password is Tr0ub4dor&3", "passphrase: c0rrect-horse": a password may be short, but then it must mix
// letters with digits or symbols, so "the password is stored in Vault" stays.
const PASSWORD_IN_PROSE = /\b(password|passwd|passphrase|pwd|passcode|psk|pre-shared key)\b(?![_.-])(?:(?:[ \t]+[\w.@/-]{1,30}){0,4}?[ \t]+(?:is|was|becomes|set to|changed to)[ \t]+|[ \t]*(?:[:=](?!=)|->|=>|—|–)[ \t]*|[ \t]+)(["'`]?)([^\s"'`;=][^\s"'`;]{5,63})\2/gi;

function findNamedInProse(text: string, out: SecretFinding[]): void {
  for (const m of text.matchAll(PASSWORD_IN_PROSE)) {
    const [all, word, q, value] = m;
    const v = (q ? value : value.replace(/[.,;:!?)]+$/, '')).replace(/&[\w.-]{1,40}=.*$/, '');
    if (v.length < 6 || !/[A-Za-z]/.test(v) || !/[\d\W_]/.test(v) || /^[A-Za-z]+[.,;:!?]?$/.test(v)) continue;
    if (!isLiteralSecretValue(v, word, { quoted: true, prose: false })) continue;
    const start = m.index + all.length - value.length - q.length;
    out.push({ start, end: start + v.length, kind: 'password' });
  }
  for (const m of text.matchAll(NAMED_IN_PROSE)) {
    const [all, word, , value] = m;
    const v = value.replace(/[.]+$/, '');
    if (!/\d/.test(v) || !/[A-Za-z]/.test(v)) continue;
    if (/^[0-9a-f]{40}$|^[0-9a-f]{64}$/i.test(v) && /key/i.test(word)) continue;
    if (/^(?:sha|md5|sha\d+)[:-]/i.test(v) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) && !/key/i.test(word)) continue;
    if (!isLiteralSecretValue(v, word, { quoted: true, prose: false })) continue;
    const start = m.index + all.length - value.length - m[2].length;
    out.push({ start, end: start + v.length, kind: kindFor(word) });
  }
}

const COOKIE_HEADER = /(?:\bCookie|\bSet-Cookie)["']?[ \t]*[:=][ \t]*["']?([^\n"']{1,8192})/gi;
const COOKIE_PAIR = /(?:^|[;\s])[\w.-]{1,64}=([A-Za-z0-9%._~+/=-]{16,4096})/g;

/** Cookie and Set-Cookie headers: every value long enough to be a session or CSRF token. */
function findCookies(text: string, out: SecretFinding[]): void {
  if (!/cookie/i.test(text)) return;
  for (const h of text.matchAll(COOKIE_HEADER)) {
    const at = h.index + h[0].length - h[1].length;
    for (const p of h[1].matchAll(COOKIE_PAIR)) {
      const start = at + p.index + p[0].length - p[1].length;
      if (/\d/.test(p[1]) && /[A-Za-z]/.test(p[1])) out.push({ start, end: start + p[1].length, kind: 'cookie' });
    }
  }
}

/** Every contextual finding in `text` (unordered; overlaps are resolved by the caller). */
export function findContextualSecrets(text: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  findAssignments(text, out);
  findFlags(text, out);
  findMarkupAndCalls(text, out);
  findNameValuePairs(text, out);
  findNamedInProse(text, out);
  findCookies(text, out);
  findNameSpaceQuoted(text, out);
  return out;
}
