/**
 * People and their accounts: home directories (and the user name in them), user names written as settings or command
 * arguments, person names in author lines (git log, trailers, package manifests, `git config user.name`, `@author`,
 * copyright lines), full names in running text (a known given name and a surname), and `@mentions`.
 */
import { FIRST_NAMES } from './firstNames';
import { COMMON_WORDS, GENERIC_USERS } from './publicNames';
import { pushSpan, type Span } from './spans';

const SEP = String.raw`(?:\\\\|\\|/)`;
const SEGMENT = String.raw`[^\\/\s:"'<>|*?,;()[\]{}\`$]`;
/**
 * `/home/jdoe`, `/Users/jane.doe`, `C:\Users\JDoe` (also JSON-escaped `C:\\Users\\JDoe` and `C:/Users/…`),
 * `/mnt/c/Users/jdoe` (WSL), `/c/Users/jdoe` (Git Bash), `\\wsl$\Ubuntu\home\jdoe`, `/var/home`, `/export/home`, `/usr/home`.
 * A Windows user folder may hold spaces ("C:\Users\Jane Doe\…") when a separator follows.
 */
const HOME = new RegExp(
  String.raw`(?<![\w.~$%-])(?:[A-Za-z]:|/mnt/[a-z]|/[a-z](?=/Users/)|\\\\wsl(?:\$|\.localhost)\\[^\\\s]{1,40}|file://(?:/[A-Za-z]:)?)?` +
  String.raw`${SEP}(?:Users|home|Documents and Settings|var${SEP}home|export${SEP}home|usr${SEP}home|data${SEP}home)${SEP}` +
  String.raw`(${SEGMENT}{1,64}(?: ${SEGMENT}{1,64}){1,3}(?=${SEP})|${SEGMENT}{1,64})`,
  'g',
);
const NOT_A_USER_FOLDER = new Set(['shared', 'public', 'default', 'all users', 'default user', 'defaultapppool', 'runner', 'user', 'username', 'your-username', 'yourname', '<user>', 'me', 'you', 'example', '$user', '%username%', '*']);

/** Home directories: the whole prefix up to the user's folder becomes `<home>`; the user name is learned. */
export function findHomes(text: string, out: Span[]): void {
  if (!/[\\/](?:Users|home|Documents and Settings)[\\/]/.test(text)) return;
  for (const m of text.matchAll(HOME)) {
    const user = m[1];
    if (NOT_A_USER_FOLDER.has(user.toLowerCase()) || user.startsWith('<') || user.startsWith('{')) continue;
    pushSpan(out, m.index, m.index + m[0].length, 'home', 'home-path', user.toLowerCase());
  }
  for (const m of text.matchAll(/(?<![\w~])~([a-z_][a-z0-9_.-]{1,31})(?=\/)/g)) {
    if (!GENERIC_USERS.has(m[1])) pushSpan(out, m.index + 1, m.index + 1 + m[1].length, 'user', 'tilde-user', m[1]);
  }
}

const USER_VALUE = String.raw`(?<q>["']?)(?<v>[A-Za-z_][A-Za-z0-9_.@-]{1,63})\k<q>`;
const USER_PATTERNS: { re: RegExp; detail: string }[] = [
  // USER=jdoe, "username": "jdoe", user: jdoe, DB_USER=app_rw, --username jdoe, -u jdoe (db clients), User ID=sa
  { re: new RegExp(String.raw`(?<![\w.-])(?:["']?)((?:[A-Za-z0-9]{1,40}[_.-]){0,6}(?:user|username|user_name|userName|login|logname|owner|author_login|actor|assignee|uid|user id|userid|account)|USER|LOGNAME|USERNAME|SUDO_USER|GITHUB_ACTOR)(?:["']?)[ \t]*(?:[:=]|:=)[ \t]*${USER_VALUE}(?![\w(.@-])`, 'gi'), detail: 'user-setting' },
  { re: new RegExp(String.raw`(?<![\w-])(?:--user(?:name)?|--login|--owner|--author)(?:=|[ \t]+)${USER_VALUE}(?![\w(.:@-])`, 'g'), detail: 'user-flag' },
  { re: new RegExp(String.raw`\b(?:chown|chgrp)\s+(?:-\w+\s+)*${USER_VALUE}(?=[:.\s])`, 'g'), detail: 'chown' },
  { re: new RegExp(String.raw`\b(?:sudo\s+-u|su\s+-|runuser\s+-u|usermod\s+(?:-\w+\s+\S+\s+)*|crontab\s+-u)\s+${USER_VALUE}(?=\s|$)`, 'g'), detail: 'user-command' },
  // Commands whose argument is a user only at a command position: "id jdoe", not "request id 3f…".
  { re: new RegExp(String.raw`(?:^|[;&|\`(]|\$)[ \t]*(?:sudo[ \t]+)?(?:su|userdel|passwd|id|groups|finger|last|w)[ \t]+${USER_VALUE}[ \t]*$`, 'gm'), detail: 'user-command' },
  { re: new RegExp(String.raw`\b(?:mysql|mysqldump|psql|pg_dump|mongo\w*|redis-cli|docker\s+login|podman\s+login)\b[^\n|;&]{0,120}?\s(?:-u|-U|--user(?:name)?)(?:=|\s*)${USER_VALUE}(?=\s|$)`, 'g'), detail: 'db-user' },
  { re: new RegExp(String.raw`\b(?:logged in|signed in|authenticated|connected(?: to \S+)?|running|login|log in|logging in|impersonating)[ \t]+as[ \t]+(?:user[ \t]+)?(?<q>["'\`]?)(?<v>[a-z_][a-z0-9_.-]{2,31})\k<q>(?![\w@-])`, 'gi'), detail: 'logged-in-as' },
  { re: new RegExp(String.raw`\bas(?:[ \t]+the)?[ \t]+user[ \t]+(?<q>["'\`]?)(?<v>[A-Za-z_][A-Za-z0-9_.-]{2,31})\k<q>(?![\w@-])`, 'g'), detail: 'as-user' },
  // sshd, PAM and sudo logs
  { re: new RegExp(String.raw`\b(?:Accepted|Failed)[ \t]+(?:publickey|password|keyboard-interactive\S*|none|hostbased)[ \t]+for[ \t]+(?:invalid[ \t]+user[ \t]+)?(?<q>)(?<v>[A-Za-z_][A-Za-z0-9_.-]{1,31})[ \t]+from\b`, 'g'), detail: 'auth-log' },
  { re: new RegExp(String.raw`\b(?:Invalid|Illegal)[ \t]+user[ \t]+(?<q>)(?<v>[A-Za-z_][A-Za-z0-9_.-]{1,31})[ \t]+from\b|\bsession[ \t]+(?:opened|closed)[ \t]+for[ \t]+user[ \t]+(?<q2>)(?<v2>[A-Za-z_][A-Za-z0-9_.-]{1,31})`, 'g'), detail: 'auth-log' },
  { re: /(?:^|\n)[ \t]*(?:[$#]\s*)?whoami\s*\n[ \t]*(?<q>)(?<v>[a-z_][a-z0-9_.-]{1,31})(?=\s|$)/g, detail: 'whoami' },
];

/** Type words and keywords that follow `user:` in code (`user: User`, `username: string`) rather than a name. */
const NOT_USER_VALUES = new Set(['string', 'str', 'number', 'int', 'any', 'object', 'none', 'null', 'undefined', 'true', 'false', 'optional', 'required', 'user', 'users', 'username', 'self', 'this', 'current', 'currentuser', 'current_user', 'new', 'default', 'anonymous', 'auth', 'request', 'req', 'session', 'ctx', 'context', 'props', 'data', 'input', 'params', 'args', 'me', 'id', 'name', 'email', 'login', 'owner', 'admin', 'root', 'member', 'guest', 'all', 'any', 'env', 'config', 'text', 'boolean', 'bool', 'list', 'dict', 'map', 'set', 'record', 'partial', 'readonly', 'ref', 'type', 'include', 'exclude']);

/** User names written as settings, flags or command arguments. */
export function findUsers(text: string, out: Span[]): void {
  for (const { re, detail } of USER_PATTERNS) {
    for (const m of text.matchAll(re)) {
      const value = m.groups!.v ?? m.groups!.v2;
      const quote = m.groups!.q ?? m.groups!.q2 ?? '';
      if (!value || value.includes('@')) continue; // an e-mail, found by its own detector
      const lower = value.toLowerCase();
      if (GENERIC_USERS.has(lower) || NOT_USER_VALUES.has(lower) || /^[A-Z][a-z]+(?:[A-Z][a-z]+)*$/.test(value) || /^\d+$/.test(value)) continue;
      if (/^[A-Z_][A-Z0-9_]+$/.test(value) && value.length > 3) continue; // a constant or variable name
      if (/^[0-9a-f-]{16,}$/i.test(value)) continue; // an id
      const start = m.index + m[0].length - value.length - quote.length;
      pushSpan(out, start, start + value.length, 'user', detail, lower);
    }
  }
}

// One capitalised word of a name; particles (van, de, …) may sit between words.
const W = String.raw`\p{Lu}[\p{Ll}\p{Lu}'’.-]{0,30}`;
const PARTICLE = String.raw`(?:van|von|de|der|den|da|di|del|della|la|le|du|dos|das|bin|ibn|al|el|ten|ter|y)`;
const NAME = String.raw`${W}(?:[ \t]+(?:${PARTICLE}[ \t]+)?${W}){0,4}`;
const HANDLE = String.raw`[a-z][a-z0-9._-]{1,38}`;
const EMAIL_IN_BRACKETS = String.raw`<[^<>\s@]{1,64}@[^<>\s]{1,255}>`;

const NAME_PATTERNS: { re: RegExp; detail: string }[] = [
  // "Jane Doe <jane@acme.io>", "jdoe <jdoe@acme.io>": git log, trailers, package.json "author", CODEOWNERS, mailmap
  { re: new RegExp(String.raw`(?<![\p{L}\p{N}_.-])(${NAME}|${HANDLE})[ \t]*(?=${EMAIL_IN_BRACKETS})`, 'gu'), detail: 'name-with-email' },
  // Author: / Co-authored-by: / Signed-off-by: lines without an address
  { re: new RegExp(String.raw`\b(?:Author|Committer|Signed-off-by|Co-authored-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Helped-by|Reviewer|Maintainer|Maintainers|Assignee|Owner|Authored by|Written by|Created by|Reported by|Maintained by)[ \t]*:?[ \t]+(${NAME})(?=[ \t]*(?:$|[\n,;(<]))`, 'gmu'), detail: 'author-line' },
  // git config user.name "Jane Doe", GIT_AUTHOR_NAME=…, [user] name = …
  { re: /(?:\bgit(?:[ \t]+-\S+)*[ \t]+config(?:[ \t]+--?[\w-]+)*[ \t]+user\.name[ \t]+|\buser\.name[ \t]*=[ \t]*)(["']?)([^"'\n]{2,80}?)\1[ \t]*(?=$|\n|&&|;|\|)/gm, detail: 'git-config' },
  { re: /\bGIT_(?:AUTHOR|COMMITTER)_NAME[ \t]*=[ \t]*(["']?)([^"'\n]{2,80}?)\1(?=\s|$)/g, detail: 'git-env' },
  { re: /\[user\][^[]{0,200}?\bname[ \t]*=[ \t]*([^\n]{2,80}?)[ \t]*(?=\n|$)/g, detail: 'gitconfig' },
  { re: /--author[ =](["']?)([^"'\n<]{2,80}?)[ \t]*(?:<[^>\n]*>)?\1(?=\s|$)/g, detail: 'git-author-flag' },
  // package.json, Cargo.toml, pyproject.toml
  { re: /"(?:author|maintainer|owner|creator)"[ \t]*:[ \t]*"([^"<(\n]{2,80}?)[ \t]*(?:<[^"\n]*>)?[ \t]*(?:\([^"\n]*\))?"/g, detail: 'manifest-author' },
  { re: /"(?:author|maintainers?|contributors?|authors)"[ \t]*:[ \t]*[[{][^\]}]{0,300}?"name"[ \t]*:[ \t]*"([^"\n]{2,80})"/g, detail: 'manifest-author' },
  { re: /\bauthors[ \t]*=[ \t]*\[[ \t]*(?:"|\{[ \t]*name[ \t]*=[ \t]*")([^"<\n]{2,80}?)[ \t]*(?:<|")/g, detail: 'manifest-author' },
  // @author Jane Doe (Javadoc, JSDoc, PHPDoc)
  { re: new RegExp(String.raw`@author[ \t]+(${NAME}|${HANDLE})`, 'gu'), detail: 'doc-author' },
  // Copyright (c) 2024 Jane Doe
  { re: new RegExp(String.raw`(?:Copyright|©|\(c\))[ \t]*(?:\(c\)|©)?[ \t]*(?:\d{4}(?:[ \t]*[-–,][ \t]*\d{4})*,?[ \t]+)?(${NAME})`, 'gu'), detail: 'copyright' },
  // git shortlog -sn: "   42\tJane Doe"
  { re: new RegExp(String.raw`^[ \t]*\d+\t(${NAME}|${HANDLE})[ \t]*$`, 'gmu'), detail: 'git-shortlog' },
  // git blame: "^1a2b3c4 (Jane Doe 2024-05-01 10:00:00 +0200 12) …"
  { re: /^\^?[0-9a-f]{7,40}[ \t]+(?:\S+[ \t]+)?\(([^()\d\n]{2,60}?)[ \t]+\d{4}-\d{2}-\d{2}/gm, detail: 'git-blame' },
];

const ORG_WORDS = /\b(?:Inc|LLC|Ltd|GmbH|AG|SA|Corp|Corporation|Company|Foundation|Contributors|Authors|Developers|Team|Project|University|Institute|Labs?|Group|Software|Systems|Technologies|Holdings)\b\.?$/;
/** Words a name-shaped match may start with that are not names ("Author: The Go Authors", "Copyright The …"). */
const NOT_NAME_START = /^(?:The|All|See|This|That|These|Our|Your|My|No|None|Unknown|Anonymous|Various|Multiple|Bot|Dependabot|Renovate|GitHub|Microsoft|Google)\b/;

const NAME_PARTICLES = new Set(['van', 'von', 'de', 'der', 'den', 'da', 'di', 'del', 'della', 'la', 'le', 'du', 'dos', 'das', 'bin', 'ibn', 'al', 'el', 'ten', 'ter', 'y', 'e']);

/** A person's name or handle: one to five words; lower-case words only as particles, or a single lower-case handle. */
function looksLikeName(name: string): boolean {
  const words = name.split(/[ \t]+/);
  if (words.length > 5 || !words.every((w) => /^[\p{L}][\p{L}\p{N}'’.-]*$/u.test(w))) return false;
  if (words.length === 1) return true;
  return words.every((w, i) => /^\p{Lu}/u.test(w) || (i > 0 && i < words.length - 1 && NAME_PARTICLES.has(w)));
}

/** Person names in author lines and their neighbours (see {@link NAME_PATTERNS}). */
export function findAuthorNames(text: string, out: Span[]): void {
  for (const { re, detail } of NAME_PATTERNS) {
    for (const m of text.matchAll(re)) {
      const raw = m[m.length - 1];
      if (!raw) continue;
      const name = raw.trim().replace(/[ \t]*[,.;:]+$/, '');
      if (name.length < 2 || NOT_NAME_START.test(name) || ORG_WORDS.test(name) || /[@/\\=<>{}$]/.test(name) || /^\d/.test(name)) continue;
      if (detail === 'copyright' && !/\s/.test(name)) continue; // "Copyright Acme": an organisation more often than not
      if (GENERIC_USERS.has(name.toLowerCase()) || COMMON_WORDS.has(name.toLowerCase()) || !looksLikeName(name)) continue;
      const start = m.index + m[0].lastIndexOf(raw) + (raw.length - raw.trimStart().length);
      pushSpan(out, start, start + name.length, 'name', detail, normaliseName(name));
    }
  }
}

/** Words that follow a given name in technical text without making it a person ("Jack Server" is rare; these are not). */
const NOT_SURNAMES = new Set(`
Linux Server Serverless Postgres Database Cloud Studio Code Framework Library Pattern Patterns Reports Report Test Tests
Testing Docs Api API Sdk SDK Cli CLI App Apps Web Engine Project Team Group Labs Inc LLC Ltd Corp Foundation University
Street Road Avenue Park City Hotel Airport Station Bridge Hall Center Centre Mode Model Models Edition Version Release
Update Updates Notes Plugin Plugins Extension Extensions Theme Themes Script Scripts Service Services Manager Protocol
Format Language Compiler Runtime Kernel Shell Terminal Console Editor Browser Mobile Desktop Android Ios Windows Mac
Pro Max Mini Plus Ultra Lite One Two Three First Second Last Next New Old January February March April May June July
August September October November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday Is Was Has Had
Will Would Should Could Can May Might Must And Or But If Then When Where Why How What Who The A An In On At By For
With From To Of As It This That These Those Not No Yes
`.split(/\s+/).filter(Boolean));

// The surname sits in a lookahead, so "Ping Priya Raman" is tried again from "Priya" after "Ping Priya" fails.
const FULL_NAME = /(?<![\p{L}\p{N}_.@/-])(\p{Lu}\p{Ll}{1,15}(?:-\p{Lu}\p{Ll}{1,15})?)(?=([ \t]+(?:\p{Lu}\.[ \t]+)?)((?:Mc|Mac|O'|O’|D'|De|Van|Von|Di|Da|Le|La)?\p{Lu}\p{Ll}{1,20}(?:-\p{Lu}\p{Ll}{1,20})?)(?![\p{L}\p{N}_-]))/gu;

/** Full names in running text: a common given name followed by a capitalised surname ("ping Priya Raman"). */
export function findFullNames(text: string, out: Span[]): void {
  for (const m of text.matchAll(FULL_NAME)) {
    const [, first, gap, last] = m;
    if (!FIRST_NAMES.has(first) || NOT_SURNAMES.has(last) || COMMON_WORDS.has(last.toLowerCase())) continue;
    const end = m.index + first.length + gap.length + last.length;
    pushSpan(out, m.index, end, 'name', 'full-name', normaliseName(`${first} ${last}`));
  }
}

/** JSDoc tags, decorators and at-rules that look like mentions. */
const NOT_MENTIONS = new Set(`
param params returns return type typedef template throws example see link deprecated since author version override
internal private public protected readonly abstract async static const enum namespace module property prop member
callback function class interface implements extends event fires listens default description summary file license
todo ts-ignore ts-expect-error ts-nocheck ts-check jsx import media keyframes font-face supports layer tailwind apply
charset page container property latest next beta alpha canary rc stable types babel vue angular nestjs storybook
testing-library mui emotion reduxjs tanstack sentry aws-sdk google-cloud azure octokit playwright here everyone
channel team all
`.split(/\s+/).filter(Boolean));

const MENTION = /(?<=(?:^|[\s(,;]))@([A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?)(?![\w/@.(:-]|\.\w)/gm;

/** `@jdoe` mentions in prose (not decorators at a line start, not scoped packages, not JSDoc tags). */
export function findMentions(text: string, out: Span[]): void {
  if (!text.includes('@')) return;
  for (const m of text.matchAll(MENTION)) {
    const handle = m[1];
    const lineStart = text.lastIndexOf('\n', m.index - 1) + 1;
    if (/^[ \t]*$/.test(text.slice(lineStart, m.index))) continue; // a decorator or a tag on its own line
    if (NOT_MENTIONS.has(handle.toLowerCase()) || /^[A-Z]/.test(handle) || /^\d+$/.test(handle) || GENERIC_USERS.has(handle.toLowerCase())) continue;
    pushSpan(out, m.index + 1, m.index + 1 + handle.length, 'user', 'mention', handle.toLowerCase());
  }
}

/** The identity of a name for placeholders: lower case, single spaces ("Jane  DOE" and "jane doe" are one person). */
export function normaliseName(name: string): string {
  return name.normalize('NFC').toLowerCase().replace(/[\s._-]+/g, ' ').trim();
}
