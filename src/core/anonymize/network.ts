/**
 * Network identities: e-mail addresses, URLs (their user, host, and the organisation and repository in the path of a
 * code host), SSH remotes, bare host names and internal domains, IPv4 and IPv6 addresses. Public developer sites and
 * well-known organisations stay (`publicNames.ts`).
 */
import { isIPv6 } from 'node:net';
import { parse as parseDomain } from 'tldts';
import { CODE_LIKE_TLDS, GENERIC_USERS, INTERNAL_SUFFIXES, PUBLIC_ORGS, WEAK_TLDS, isPublicHost } from './publicNames';
import { pushSpan, type Span } from './spans';

/** Identifiers that, before a dot, make `x.y` a member access rather than a host (`this.app`, `os.path`). */
const CODE_RECEIVERS = new Set(`
this self cls super process os sys console window document math json object array string number date promise module
exports require import app req res ctx config conf cfg env settings options opts props params args state store data
item items node nodes el elem event evt e err error errors util utils path fs np pd plt tf torch nn vscode react vue
angular ng jquery lodash moment axios http https url uri request response client server db model models schema user
users file files dir log logger logging time datetime re random test tests spec mock jest vi assert expect describe
it self super parent child children this.props style styles theme context console.log package pkg manifest
`.split(/\s+/).filter(Boolean));

interface HostInfo { host: string; publicSuffixKnown: boolean; internal: boolean; tenant: boolean }

function hostInfo(raw: string): HostInfo {
  const host = raw.toLowerCase().replace(/\.$/, '');
  const labels = host.split('.');
  const internal = labels.length >= 1 && (INTERNAL_SUFFIXES.has(labels[labels.length - 1]) || INTERNAL_SUFFIXES.has(labels.slice(-2).join('.')));
  const p = parseDomain(host, { allowPrivateDomains: true, extractHostname: false, validateHostname: false });
  const known = Boolean(p.isIcann || p.isPrivate) && p.publicSuffix !== host;
  // Under a multi-tenant suffix (acme.github.io) or a wildcard one (ec2-…compute-1.amazonaws.com) the host is a tenant.
  const tenant = Boolean(p.isPrivate) && (p.domain !== null || /\d+-\d+-\d+-\d+/.test(host));
  return { host, publicSuffixKnown: known || (Boolean(p.isPrivate) && p.domain === null), internal, tenant };
}

/** True when `host`, found in a context that makes it a host (URL, e-mail, `ssh`), should be replaced. */
function isPrivateHost(raw: string): boolean {
  const info = hostInfo(raw);
  if (isPublicHost(info.host, info.tenant)) return false;
  return true;
}

/** Single-label names that are services in every compose file rather than anyone's machine. */
const GENERIC_HOSTS = new Set(`
localhost db database postgres postgresql mysql mariadb redis mongo mongodb rabbitmq kafka zookeeper elasticsearch
es minio nginx web app api backend frontend server cache memcached host example worker broker proxy gateway vault consul
etcd jaeger prometheus grafana sentry mailhog smtp mail ftp sftp ldap dns ntp git ssh http https router registry
`.split(/\s+/).filter(Boolean));

function pushHost(out: Span[], start: number, raw: string, detail: string, contextual: boolean): void {
  const host = raw.replace(/\.$/, '');
  if (!host || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || host.startsWith('[')) return; // IPs have their own detector
  if (!host.includes('.')) {
    if (!contextual || GENERIC_HOSTS.has(host.toLowerCase()) || host.length < 3 || host.startsWith('<')) return;
    pushSpan(out, start, start + host.length, 'host', detail, host.toLowerCase());
    return;
  }
  if (isPrivateHost(host)) pushSpan(out, start, start + host.length, 'host', detail, host.toLowerCase());
}

const EMAIL = /(?<![\w.%+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z][A-Za-z0-9-]{0,23})(?![\w-]|\.[A-Za-z0-9])/g;

/** E-mail addresses. `git@host:org/repo` is an SSH remote, not an address, and is left to {@link findRemotes}. */
export function findEmails(text: string, out: Span[]): void {
  if (!text.includes('@')) return;
  for (const m of text.matchAll(EMAIL)) {
    const [all, local, domain] = m;
    if (text[m.index + all.length] === ':' && /^[\w.-]+$/.test(local) && /^[~\w.-]+\//.test(text.slice(m.index + all.length + 1))) continue;
    const info = hostInfo(domain);
    if (!info.publicSuffixKnown && !info.internal) continue; // image@2x.png, pkg@1.2.3
    pushSpan(out, m.index, m.index + all.length, 'email', 'email', all.toLowerCase());
  }
}

/** Path prefixes on code hosts that are pages, not organisations (github.com/settings, gitlab.com/explore). */
const NOT_ORG_SEGMENTS = new Set(`
about features pricing login logout join signup settings marketplace explore topics trending sponsors orgs users apps
notifications new organizations enterprise enterprises security site contact collections events readme customer-stories
team pulls issues search codespaces copilot dashboard help docs blog api v1 v2 v3 v4 repos orgs users-api models
datasets spaces papers docs learn tasks posts collections organizations r _ u package packages search-results
-
`.split(/\s+/).filter(Boolean));

const CODE_HOSTS = new Set(['github.com', 'www.github.com', 'gitlab.com', 'bitbucket.org', 'codeberg.org', 'gitea.com', 'git.sr.ht', 'huggingface.co', 'hf.co', 'gitee.com', 'raw.githubusercontent.com', 'gist.github.com', 'api.github.com', 'codeload.github.com', 'hub.docker.com', 'ghcr.io', 'quay.io', 'docker.io', 'registry.gitlab.com', 'dev.azure.com', 'ssh.dev.azure.com', 'pkg.go.dev', 'www.npmjs.com', 'npmjs.com']);

/** Replaces the organisation and repository segments of a code-host path that starts at `pathStart`. */
function pushRepoPath(host: string, pathStart: number, path: string, out: Span[], selfHosted: boolean): void {
  const segs: { s: number; v: string }[] = [];
  const re = /[^/?#\s()[\]{}<>,;]+/g;
  for (const m of path.matchAll(re)) {
    if (path[m.index - 1] === '?' || path[m.index - 1] === '#' || /[()[\]{}<>,;]/.test(path[m.index - 1] ?? '')) break;
    segs.push({ s: pathStart + m.index, v: m[0].replace(/[.:!]+$/, '') });
    if (segs.length >= 6) break;
  }
  const h = host.toLowerCase();
  let i = 0;
  if (h === 'api.github.com' && (segs[0]?.v === 'repos' || segs[0]?.v === 'orgs' || segs[0]?.v === 'users')) i = 1;
  if ((h === 'huggingface.co' || h === 'hf.co') && (segs[0]?.v === 'datasets' || segs[0]?.v === 'spaces')) i = 1;
  if (h === 'hub.docker.com' && (segs[0]?.v === 'r' || segs[0]?.v === 'u')) i = 1;
  if (h === 'pkg.go.dev' && segs[0] && CODE_HOSTS.has(segs[0].v)) i = 1;
  if ((h === 'www.npmjs.com' || h === 'npmjs.com') && segs[0]?.v === 'package') {
    const scope = segs[1];
    if (scope?.v.startsWith('@') && !PUBLIC_ORGS.has(scope.v.slice(1).toLowerCase())) pushSpan(out, scope.s + 1, scope.s + scope.v.length, 'org', 'npm-scope', scope.v.slice(1).toLowerCase());
    return;
  }
  if (h === 'ssh.dev.azure.com' && segs[0]?.v === 'v3') i = 1;
  // Bitbucket Server: /scm/PROJ/repo.git and /projects/PROJ/repos/repo/browse
  if (segs[i]?.v === 'scm') i++;
  if (segs[i]?.v === 'projects' && segs[i + 2]?.v === 'repos' && segs[i + 3]) {
    pushSpan(out, segs[i + 1].s, segs[i + 1].s + segs[i + 1].v.length, 'org', 'url-project', segs[i + 1].v.toLowerCase());
    const r = segs[i + 3];
    pushSpan(out, r.s, r.s + r.v.replace(/\.git$/, '').length, 'repo', 'url-repo', r.v.replace(/\.git$/, '').toLowerCase());
    return;
  }
  const org = segs[i];
  if (!org) return;
  const orgName = org.v.replace(/^~/, '');
  if (!selfHosted && NOT_ORG_SEGMENTS.has(orgName.toLowerCase())) return;
  if (PUBLIC_ORGS.has(orgName.toLowerCase())) return;
  if (!/^[A-Za-z0-9][\w.-]*$/.test(orgName) || orgName.startsWith('<')) return;
  pushSpan(out, org.s + (org.v.length - orgName.length), org.s + org.v.length, 'org', 'url-org', orgName.toLowerCase());
  // Azure DevOps: org/project/_git/repo; GitLab: group/subgroup/…/project (up to "/-/").
  let repoIdx = i + 1;
  if (h === 'dev.azure.com' || h === 'ssh.dev.azure.com') {
    const git = segs.findIndex((s) => s.v === '_git');
    if (segs[i + 1] && segs[i + 1].v !== '_git') pushSpan(out, segs[i + 1].s, segs[i + 1].s + segs[i + 1].v.length, 'repo', 'url-project', segs[i + 1].v.toLowerCase());
    repoIdx = git >= 0 ? git + 1 : h === 'ssh.dev.azure.com' ? i + 2 : -1;
  } else if (h === 'gitlab.com' || selfHosted) {
    while (segs[repoIdx + 1] && segs[repoIdx + 1].v !== '-' && !/^(?:blob|tree|raw|commit|commits|merge_requests|issues|pipelines|jobs|-|wiki|tags|releases|pull|pulls|compare|src|browse|_git|edit)$/.test(segs[repoIdx + 1].v) && repoIdx - i < 4) {
      pushSpan(out, segs[repoIdx].s, segs[repoIdx].s + segs[repoIdx].v.length, 'org', 'url-group', segs[repoIdx].v.toLowerCase());
      repoIdx++;
    }
  }
  const repo = segs[repoIdx];
  if (!repo || repoIdx < 0) return;
  const name = repo.v.replace(/\.git$/, '');
  if (!/^[A-Za-z0-9_.][\w.-]*$/.test(name) || /^(?:blob|tree|raw|issues|pulls|-)$/.test(name)) return;
  pushSpan(out, repo.s, repo.s + name.length, 'repo', 'url-repo', name.toLowerCase());
}

/** Azure DevOps on its own host (acme.visualstudio.com, a server): /[collection/]project/_git/repo */
function pushAzureDevOpsPath(pathStart: number, path: string, out: Span[]): void {
  const m = /\/([^/?#\s]+)\/_git\/([^/?#\s]+)/.exec(path);
  if (!m) return;
  const projectStart = pathStart + m.index + 1;
  pushSpan(out, projectStart, projectStart + m[1].length, 'repo', 'url-project', m[1].toLowerCase());
  const repoStart = projectStart + m[1].length + 6;
  pushSpan(out, repoStart, repoStart + m[2].length, 'repo', 'url-repo', m[2].toLowerCase());
}

const URL_RE = /\b([a-z][a-z0-9+.-]{1,20}):\/\/(?:([^\s/?#@"'<>`:]{1,128})(?::[^\s/?#"'<>`]{0,256}?)?@)?(\[[0-9A-Fa-f:.]{2,45}\]|[^\s/?#:@"'<>`,;()\\[\]{}|]{1,253})(?::\d{1,5})?(?=[/?#\s"'<>`,;)\]}|]|$)([^\s"'<>`]{0,2000})/gi;

/** Users, hosts and code-host paths of URLs (`https://jdoe@git.acme.internal/team/app.git`). */
export function findUrls(text: string, out: Span[]): void {
  if (!text.includes('://')) return;
  for (const m of text.matchAll(URL_RE)) {
    const [all, scheme, user, host, path] = m;
    const hostStart = m.index + all.indexOf(host, scheme.length + 3 + (user ? user.length : 0));
    if (user && !GENERIC_USERS.has(user.toLowerCase()) && !/^(?:oauth2?|x-access-token|x-token-auth|gitlab-ci-token|token|anonymous)$/i.test(user) && user.length < 40) {
      const userStart = m.index + scheme.length + 3;
      pushSpan(out, userStart, userStart + user.length, 'user', 'url-user', user.toLowerCase());
    }
    if (/^file$/i.test(scheme)) continue;
    pushHost(out, hostStart, host, 'url-host', true);
    const h = host.toLowerCase();
    const pathStart = m.index + all.length - path.length;
    const selfHosted = !CODE_HOSTS.has(h) && (/(?:^|[.-])(?:git|gitlab|gitea|forgejo|bitbucket|stash|gerrit|scm|code|source|repo|repos|vcs|svn)(?:[.-]|$)/.test(h) || /\.git(?:[/?#]|$)/.test(path));
    if (CODE_HOSTS.has(h) || selfHosted) pushRepoPath(h, pathStart, path, out, selfHosted);
    else if (path.includes('/_git/')) pushAzureDevOpsPath(pathStart, path, out);
  }
}

const REMOTE = /(?<![\w.-])([A-Za-z_][\w.-]{0,31})@([A-Za-z0-9][A-Za-z0-9.-]{0,252}):(?!\d+(?:\/|\b))([~\w.-]{1,100}\/[\w./-]{1,200}?)(?=\.git\b|[\s"'<>)\]]|$)/g;
const BARE_CODE_PATH = /(?<![\w./@-])((?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com|huggingface\.co|ghcr\.io|quay\.io|docker\.io|(?:registry\.)?hub\.docker\.com|index\.docker\.io|gcr\.io|[a-z]{2,6}\.gcr\.io|registry\.gitlab\.com))\/([\w.~-]{1,100}(?:\/[\w.-]{1,100}){0,4})/g;
// "org/repo#123" issue references, "PR #12 from org/repo", `gh … -R org/repo`, `--repo org/repo`, `uses: org/repo@v1`
const REPO_REFS = [
  /(?<![\w./@-])([A-Za-z0-9][\w.-]{0,38})\/([\w.-]{1,100})#\d+\b/g,
  /\b(?:PR|pull request|MR|merge request)\s+[#!]\d+\s+(?:from|in|on)\s+([A-Za-z0-9][\w.-]{0,38})\/([\w.-]{1,100})/gi,
  /(?:\bgh\s+[\w-]+\s+[\w-]+\b[^\n|;&]{0,100}?\s(?:-R|--repo)|\s--repo|\bgh\s+repo\s+(?:clone|view|fork))[ =]([A-Za-z0-9][\w.-]{0,38})\/([\w.-]{1,100})/g,
  /\buses:\s*["']?([A-Za-z0-9][\w.-]{0,38})\/([\w.-]{1,100})(?:\/[^@\s"']*)?@/g,
];

/** SSH remotes (`git@github.com:acme/app.git`) and scheme-less code-host paths (`github.com/acme/app`, Go imports). */
export function findRemotes(text: string, out: Span[]): void {
  if (text.includes('@')) {
    for (const m of text.matchAll(REMOTE)) {
      const [all, user, host, path] = m;
      const hostStart = m.index + user.length + 1;
      if (!GENERIC_USERS.has(user.toLowerCase())) pushSpan(out, m.index, m.index + user.length, 'user', 'ssh-user', user.toLowerCase());
      pushHost(out, hostStart, host, 'ssh-host', true);
      const h = host.toLowerCase();
      pushRepoPath(h, m.index + all.length - path.length, path, out, !CODE_HOSTS.has(h));
    }
  }
  if (text.includes('/')) {
    for (const re of REPO_REFS) {
      for (const m of text.matchAll(re)) {
        const [all, org, repo] = m;
        if (PUBLIC_ORGS.has(org.toLowerCase()) || org.startsWith('<')) continue;
        const orgStart = m.index + all.lastIndexOf(`${org}/${repo}`);
        pushSpan(out, orgStart, orgStart + org.length, 'org', 'repo-ref', org.toLowerCase());
        const name = repo.replace(/\.git$/, '');
        pushSpan(out, orgStart + org.length + 1, orgStart + org.length + 1 + name.length, 'repo', 'repo-ref', name.toLowerCase());
      }
    }
  }
  for (const m of text.matchAll(BARE_CODE_PATH)) {
    const [all, host, path] = m;
    pushRepoPath(host.toLowerCase().replace(/^www\./, ''), m.index + all.length - path.length, path, out, false);
  }
}

const SHELL_USER_HOST = /(?<!\S)(?:\([^)\n]{1,40}\)[ \t]*)?\[?([a-z_][a-z0-9_.-]{0,31})@((?!\d[\d.]*(?![\w-]))[A-Za-z0-9][A-Za-z0-9._-]{0,62})(?=(?::[^\s$#%>]*|[ \t]+[^\s$#%>]+)?\]?[ \t]*[$#%>](?:[ \t]|$))/g;
const SSH_TARGET = /\b(?:ssh|scp|sftp|rsync|mosh|ssh-copy-id|autossh|sshfs|pssh)\b[^\n|;&]{0,200}?(?<![\w.@/-])([a-z_][a-z0-9_.-]{0,31})@([A-Za-z0-9][A-Za-z0-9.-]{0,252})/g;
// `jdoe@devbox-42:~/app$` mid-line, `scp f jdoe@build01:/tmp`: a user and a machine name before `:~` or `:/`.
const USER_AT_MACHINE = /(?<![\w.@/-])([a-z_][a-z0-9_.-]{0,31})@([A-Za-z0-9][A-Za-z0-9-]{0,62})(?=:[~/])/g;
const SSH_CONFIG = /^[ \t]*(Host|HostName|User)[ \t]+([^\s*?]{1,253})[ \t]*$/gim;

/** Users and hosts of shell prompts (`jdoe@devbox:~$`), `ssh`/`scp` targets and `~/.ssh/config` entries. */
export function findShellTargets(text: string, out: Span[]): void {
  if (text.includes('@')) {
    for (const re of [SHELL_USER_HOST, SSH_TARGET, USER_AT_MACHINE]) {
      for (const m of text.matchAll(re)) {
        const [all, user, host] = m;
        const userStart = m.index + all.lastIndexOf(`${user}@${host}`);
        if (!GENERIC_USERS.has(user)) pushSpan(out, userStart, userStart + user.length, 'user', 'shell-user', user);
        pushHost(out, userStart + user.length + 1, host, 'shell-host', true);
      }
    }
  }
  if (/^[ \t]*(?:Host|HostName|User)[ \t]/im.test(text)) {
    for (const m of text.matchAll(SSH_CONFIG)) {
      const [all, key, value] = m;
      const start = m.index + all.lastIndexOf(value);
      if (key.toLowerCase() === 'user') {
        if (!GENERIC_USERS.has(value.toLowerCase())) pushSpan(out, start, start + value.length, 'user', 'ssh-config-user', value.toLowerCase());
      } else {
        pushHost(out, start, value, 'ssh-config-host', true);
      }
    }
  }
}

const HOST_KEYED = /(?<![\w./-])(?:["']?)((?:[A-Za-z0-9]{1,40}[_.-]){0,6}(?:host|hostname|server|servername|address|addr|endpoint|domain|fqdn)|--host(?:name)?|-h)(?:["']?)(?:[ \t]*[:=][ \t]*|[ \t]+(?=[A-Za-z0-9]))(["']?)(?:(?:tcp|udp|np|lpc):)?([A-Za-z0-9][A-Za-z0-9.-]{1,252})\2(?![\w.-]|:\/\/|:[A-Za-z])/gi;

/** Host names written as the value of a host setting or flag (`DB_HOST=pg-primary-01`, `--host buildbox`). */
export function findKeyedHosts(text: string, out: Span[]): void {
  for (const m of text.matchAll(HOST_KEYED)) {
    const [all, key, , value] = m;
    // "address already in use": a word followed by a word is prose; only flags take their value after a space.
    if (!key.startsWith('-') && !/[:=]/.test(all.slice(key.length))) continue;
    if (/^-h$/i.test(key) && !/\b(?:mysql|psql|pg_dump|pg_restore|redis-cli|mongo\w*|clickhouse-client)\b[^\n]{0,100}$/.test(text.slice(Math.max(0, m.index - 100), m.index))) continue;
    if (/^\d+$/.test(value) || /^(?:true|false|null|none|localhost|string|str|any)$/i.test(value)) continue;
    const start = m.index + all.length - m[2].length - value.length;
    if (text[start + value.length + m[2].length] === '(' || CODE_RECEIVERS.has(value.split('.')[0].toLowerCase())) continue;
    if (value.includes('.')) {
      const info = hostInfo(value);
      if (!info.publicSuffixKnown && !info.internal) continue;
    }
    pushHost(out, start, value, 'keyed-host', true);
  }
}

const BARE_HOST = /(?<![\w@/\\:-])(?<!\w\.)((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z][A-Za-z0-9-]{0,23})(?![\w-]|\.[A-Za-z0-9]|\()/g;

/** Host names and internal domains in running text (`ssh to build01.acme.internal`, `db.prod.acme.com is down`). */
export function findBareHosts(text: string, out: Span[]): void {
  for (const m of text.matchAll(BARE_HOST)) {
    const raw = m[1];
    if (/[a-z][A-Z]/.test(raw)) continue; // camelCase member chains
    const labels = raw.toLowerCase().split('.');
    const tld = labels[labels.length - 1];
    if (CODE_RECEIVERS.has(labels[0])) continue;
    const info = hostInfo(raw);
    if (!info.internal) {
      if (CODE_LIKE_TLDS.has(tld) && !WEAK_TLDS.has(tld)) continue;
      if (WEAK_TLDS.has(tld) && labels.length < 3 && !/[\d-]/.test(labels.slice(0, -1).join(''))) continue;
      if (!info.publicSuffixKnown) continue;
    }
    if (isPublicHost(info.host, info.tenant)) continue;
    pushSpan(out, m.index, m.index + raw.length, 'host', info.internal ? 'internal-domain' : 'host', info.host);
  }
}

const MACHINE_WORDS = 'agent|runner|node|worker|prod|production|stg|stage|staging|dev|qa|uat|db|web|api|cache|broker|host|server|srv|vm|box|bastion|jump|build|ci|k8s|gpu|cpu|master|replica|primary|secondary|edge|proxy|lb|gw|nas|mq|elk|etl|app|jenkins|gitlab|runner|kafka|redis|mysql|postgres|pg|mongo|es|vault|consul|win|linux|mac|laptop|desktop|ws';
// Machine names in prose: "jenkins-agent-04", "web-prod-12" (two words and a number), "db01", "build7".
const MACHINE_NAME = new RegExp(String.raw`(?<![\w./@-]|::)((?:[a-z][a-z0-9]*-){1,4}[a-z][a-z0-9]*-\d{1,4}|(?:${MACHINE_WORDS})\d{2,3})(?![\w-]|\.[a-z0-9])`, 'g');
const MACHINE_WORD_RE = new RegExp(String.raw`(?:^|-)(?:${MACHINE_WORDS})(?:\d*)(?:-|$)`);

// UNC paths and protocol-relative URLs: \\fileserver01\share, //fileserver01/shared, //cdn.acme.io/x.js
const UNC = /(?<![\w:/\\])(?:\\\\|\/\/)([A-Za-z0-9][A-Za-z0-9.-]{1,62})(?=[\\/][\w$.-])/g;
// Windows default names, Macs named after their owner, EC2 names that spell the address.
const DEVICE_NAMES = /(?<![\w.-])(?:(?:DESKTOP|LAPTOP|WIN|PC)-[A-Z0-9]{5,15}|[A-Z][a-z]{1,20}(?:s|s')?-(?:MacBook|iMac|Mac-mini|Mac-Studio|Mac|ThinkPad|Laptop|PC)(?:-(?:Pro|Air|Max|\d{1,2}))*|ip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3})(?:\.local(?:domain)?)?(?![\w-])/g;

// Cloud identities: AWS ARNs (account, S3 bucket), account ids named as such, GCP projects (gke_ contexts,
// projects/…/ resource names, project settings).
const ARN = /\barn:aws[\w-]*:([\w-]+):([\w-]*):(\d{12})?:([^\s"',;)]+)/g;
const AWS_ACCOUNT = /\b(?:account(?:[ _-]?id)?|acct|AWS_ACCOUNT_ID|aws_account_id)\b["']?[ \t]*[:=]?[ \t]*["']?(\d{12})\b/gi;
const GCP_PROJECT = /\b(?:gke_([a-z][a-z0-9-]{4,28}[a-z0-9])_[a-z]+-[a-z]+\d(?:-[a-z])?_|projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/|(?:project[_-]?id|projectId|gcp[_-]?project|google[_-]cloud[_-]project|GCLOUD_PROJECT|GOOGLE_CLOUD_PROJECT|--project)["']?[ \t]*[:= ][ \t]*["']?([a-z][a-z0-9-]{4,28}[a-z0-9])\b)/gi;

/** AWS accounts and buckets, GCP projects: they name a company's cloud estate. */
export function findCloudIdentities(text: string, out: Span[]): void {
  if (text.includes('arn:aws')) {
    for (const m of text.matchAll(ARN)) {
      const [all, service, , account, resource] = m;
      if (account) {
        const at = m.index + all.indexOf(`:${account}:`) + 1;
        pushSpan(out, at, at + account.length, 'org', 'aws-account', account);
      }
      if (service === 's3') {
        const bucket = resource.split('/')[0];
        const at = m.index + all.length - resource.length;
        if (bucket && bucket !== '*') pushSpan(out, at, at + bucket.length, 'host', 's3-bucket', bucket.toLowerCase());
      }
    }
  }
  for (const m of text.matchAll(AWS_ACCOUNT)) pushSpan(out, m.index + m[0].length - m[1].length, m.index + m[0].length, 'org', 'aws-account', m[1]);
  for (const m of text.matchAll(GCP_PROJECT)) {
    const project = m[1] ?? m[2] ?? m[3];
    if (!project || !/[\d-]/.test(project) || /^(?:my-project|your-project|project-id|example-project)$/.test(project.toLowerCase())) continue;
    const at = m.index + m[0].lastIndexOf(project);
    pushSpan(out, at, at + project.length, 'org', 'cloud-project', project.toLowerCase());
  }
}

/** Machine names written alone in running text (see {@link MACHINE_NAME}). */
export function findMachineNames(text: string, out: Span[]): void {
  for (const m of text.matchAll(UNC)) pushHost(out, m.index + 2, m[1], 'unc-host', true);
  for (const m of text.matchAll(DEVICE_NAMES)) pushSpan(out, m.index, m.index + m[0].length, 'host', 'device-name', m[0].toLowerCase());
  for (const m of text.matchAll(MACHINE_NAME)) {
    const name = m[1];
    if (name.includes('-') && !MACHINE_WORD_RE.test(name.replace(/-\d+$/, ''))) continue;
    pushSpan(out, m.index, m.index + name.length, 'host', 'machine-name', name);
  }
}

const IPV4 = /(?<![\w.])((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})(?:\/(\d{1,2}))?(?![\w]|\.\d)/g;
const PUBLIC_IPS = new Set(['127.0.0.1', '0.0.0.0', '255.255.255.255', '255.255.255.0', '255.255.0.0', '255.0.0.0', '8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9', '149.112.112.112', '208.67.222.222', '208.67.220.220', '169.254.169.254', '127.0.0.53', '127.0.1.1']);
const GENERIC_CIDRS = new Set(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', '0.0.0.0/0', '100.64.0.0/10', '224.0.0.0/4', 'fc00::/7', '::/0']);
const IPV6 = /(?<![\w:.])((?:[0-9A-Fa-f]{1,4}:){1,7}(?::|:?[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})(?:%[\w.]{1,20})?|::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})(?![\w:]|\.\d)/g;

/** IPv4 and IPv6 addresses, except loopback, unspecified, netmasks and well-known public resolvers. */
export function findIps(text: string, out: Span[]): void {
  for (const m of text.matchAll(IPV4)) {
    const [, ip, bits] = m;
    if (PUBLIC_IPS.has(ip) || (bits && GENERIC_CIDRS.has(`${ip}/${bits}`))) continue;
    // A private network's address with its prefix (10.0.0.0/16, 10.0.1.0/24) describes a layout, not a machine.
    if (bits && /\.0$/.test(ip) && /^(?:10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.)/.test(ip)) continue;
    const before = text.slice(Math.max(0, m.index - 12), m.index);
    if (/(?:\bv|\bversion[ :=]*|\bver[ .:=]*|\brelease[ :=]*)$/i.test(before)) continue;
    pushSpan(out, m.index, m.index + ip.length, 'ip', 'ipv4', ip);
  }
  if (!text.includes(':')) return;
  for (const m of text.matchAll(IPV6)) {
    const ip = m[1];
    const bare = ip.replace(/%.*$/, '');
    const colons = (bare.match(/:/g) ?? []).length;
    if (!isIPv6(bare) || bare === '::1' || bare === '::' || colons < 2) continue;
    // `a::b` is a Rust or C++ path far more often than an address.
    if (colons < 3 && !(bare.replace(/:/g, '').length >= 5 && /\d/.test(bare))) continue;
    if (/^\d+(?::\d+)+$/.test(bare) && !bare.includes('::')) continue; // 12:30:45
    if (/^[0-9a-f]{1,4}::$/i.test(bare) || GENERIC_CIDRS.has(`${bare}/${text.slice(m.index + ip.length + 1, m.index + ip.length + 4).replace(/\D.*$/, '')}`)) continue;
    pushSpan(out, m.index, m.index + ip.length, 'ip', 'ipv6', bare.toLowerCase());
  }
}
