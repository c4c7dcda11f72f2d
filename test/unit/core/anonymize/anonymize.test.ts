/**
 * Focused behaviour of the anonymizer that the team client, its preview and its audit log rely on: consistent typed
 * placeholders across one submission, replacements that point at the original text, known names and the user's own
 * terms, values learned in one item hidden in the others, what stays (general programming knowledge), and that
 * hostile input cannot make it slow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anonymizeTexts } from '../../../../src/core/anonymize/anonymize';

async function one(text: string, options = {}): Promise<string> {
  return (await anonymizeTexts([text], options)).texts[0];
}

test('the same value gets the same placeholder across a submission, a second value the next number', async () => {
  const r = await anonymizeTexts([
    'Mail jane@acme-corp.com, then bob@acme-corp.com.',
    'If jane@acme-corp.com is away, ask bob@acme-corp.com; the build runs on build01.acme.internal.',
  ]);
  assert.deepEqual(r.texts, [
    'Mail <email>, then <email-2>.',
    'If <email> is away, ask <email-2>; the build runs on <host>.',
  ]);
  for (const x of r.replacements) {
    const source = ['Mail jane@acme-corp.com, then bob@acme-corp.com.', 'If jane@acme-corp.com is away, ask bob@acme-corp.com; the build runs on build01.acme.internal.'][x.item];
    assert.equal(source.slice(x.start, x.end), x.original, 'offsets point into the original item');
  }
  assert.deepEqual(r.replacements.map((x) => [x.item, x.kind, x.placeholder]), [
    [0, 'email', '<email>'], [0, 'email', '<email-2>'], [1, 'email', '<email>'], [1, 'email', '<email-2>'], [1, 'host', '<host>'],
  ]);
});

test('secrets of many shapes become <secret>, the text around them stays', async () => {
  const gh = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
  const cases: [string, string][] = [
    [`export GITHUB_TOKEN=${gh}`, 'export GITHUB_TOKEN=<secret>'],
    ['DB_PASSWORD=Xk9#mP2$vL&q', 'DB_PASSWORD=<secret>'],
    ['mysql -u root -p' + 'S3cretPass db', 'mysql -u root -p<secret> db'],
    ['curl -u admin:' + 'Sup3rS3cret https://example.com/api', 'curl -u admin:<secret> https://example.com/api'],
    ['Server=tcp:db;User ID=sa;Password=' + 'Secr3t!;Encrypt=true', 'Server=tcp:db;User ID=sa;Password=<secret>;Encrypt=true'],
    ['PGPASSWORD=' + "'p4ss-w0rd' psql -U postgres", "PGPASSWORD='<secret>' psql -U postgres"],
    ['"private_key_id": "' + 'ab'.repeat(20) + '"', '"private_key_id": "<secret>"'],
  ];
  for (const [input, expected] of cases) assert.equal(await one(input), expected, input);
});

test('general programming knowledge stays exactly as written', async () => {
  const benign = [
    'const key = process.env.OPENAI_API_KEY;',
    'Reverted in 3f2a9c1e0b7d4e5f6a7b8c9d0e1f2a3b4c5d6e7f, see also abc1234.',
    '"integrity": "sha512-' + 'Qw'.repeat(43) + '=="',
    'request 550e8400-e29b-41d4-a716-446655440000 failed',
    'Never log the password field; the password policy needs 12 characters.',
    'Pin eslint to 9.39.1 and typescript to ^5.9.3.',
    'See https://github.com/nodejs/node/issues/12345 and https://registry.npmjs.org/ for details.',
    'Bind to 127.0.0.1 or 0.0.0.0, resolve with 8.8.8.8, run on localhost:3000.',
    'password: string; token_type: bearer; max_tokens: 1024; credentials: "include"',
    'Copy .env.example (OPENAI_API_KEY=your-api-key-here) and fill it in.',
    'The key looks like sk-xxxxxxxxxxxxxxxxxxxxxxxx; OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxx goes in .env.',
    'POST https://generativelanguage.googleapis.com/v1beta/models',
    'npm install lodash@4.17.21 @types/node; uses: actions/checkout@v4',
    'mkdir -p build && docker run -p 8080:80 nginx && ssh -p 2222 localhost',
    'Edit setup.py, README.md and app.module.ts; call os.path.join and user.name.',
    'FROM node:20@sha256:' + 'ab12'.repeat(16),
  ];
  for (const text of benign) assert.equal(await one(text), text);
});

test('known names are hidden in their usual spellings, and a capitalised part alone', async () => {
  const r = await anonymizeTexts([
    'Jane Doe reviewed it; jane.doe and JaneDoe are her handles, jdoe on the VPN.',
    'Ask Jane if the migration fails. Doe, Jane signed the change.',
    'We will grant access to the jane.doe.test fixture later.',
  ], { names: ['Jane Doe'] });
  assert.equal(r.texts[0], '<name> reviewed it; <name> and <name> are her handles, <name> on the VPN.');
  assert.match(r.texts[1], /^Ask <name> if the migration fails\. <name>, <name> signed the change\.$/);
  assert.match(r.texts[2], /^We will grant access to the <[a-z-\d]+>(?:\.test)? fixture later\.$/, 'the name goes, "will" and "grant" stay');
});

test('the user\'s extra terms are hidden case-insensitively, inside identifiers, and literally (no regex)', async () => {
  const out = await one('Acme ships Project Falcon (project-falcon, ProjectFalcon) via AcmeClient; pacmen stay. c++ (a+b) too.', { terms: ['acme', 'Project Falcon', 'c++', '(a+b)'] });
  assert.equal(out, '<term> ships <term-2> (<term-2>, <term-2>) via <term>Client; pacmen stay. <term-3> <term-4> too.');
});

test('a value found by its context in one item is hidden where it appears alone in another', async () => {
  const r = await anonymizeTexts([
    'Logs are in /home/jdoe/.cache/app.log',
    'jdoe owns the nightly job; clone https://github.com/acme-payments/ledger-core first.',
    'ledger-core and acme-payments are mentioned here without a URL.',
    'Author: Mariana Okonkwo <m.okonkwo@initech.io>',
    'Mariana Okonkwo knows the history.',
  ]);
  assert.equal(r.texts[0], 'Logs are in <home>/.cache/app.log');
  assert.equal(r.texts[1], '<user> owns the nightly job; clone https://github.com/<org>/<repo> first.');
  assert.equal(r.texts[2], '<repo> and <org> are mentioned here without a URL.');
  assert.equal(r.texts[4], '<name> knows the history.');
});

test('home directories on every platform, with the user name in them', async () => {
  const cases = [
    '/home/jdoe/src', '/Users/jane.doe/Projects', 'C:\\Users\\JDoe\\AppData', 'C:\\Users\\Jane Doe\\Documents',
    'C:\\\\Users\\\\jdoe\\\\x.json', 'C:/Users/jdoe/repo', '/mnt/c/Users/jdoe/code', '/c/Users/jdoe/code',
    '\\\\wsl$\\Ubuntu\\home\\jdoe\\app', '/var/home/jdoe/x', 'file:///home/jdoe/x.txt',
  ];
  for (const path of cases) {
    const out = await one(`open ${path} now`);
    assert.match(out, /^open <home>[\\/]/, `${path} -> ${out}`);
    assert.ok(!/jdoe|jane/i.test(out), out);
  }
  assert.equal(await one('see /Users/Shared/x and src/home/index.tsx'), 'see /Users/Shared/x and src/home/index.tsx');
});

test('hosts: private and tenant ones go, public developer sites stay', async () => {
  assert.equal(await one('db01.prod.acme.internal, api.acme-corp.com, acme.github.io, bucket-7.s3.amazonaws.com'), '<host>, <host-2>, <host-3>, <host-4>');
  const kept = 'docs.github.com, pkg.go.dev, storage.googleapis.com, s3.amazonaws.com, example.com, host.docker.internal';
  assert.equal(await one(kept), kept);
  assert.equal(await one('ssh deploy@bastion-2 and jdoe@devbox-42:~/app$ make'), 'ssh deploy@<host> and <user>@<host-2>:~/app$ make');
  assert.equal(await one('ssh jdoe@build01.acme.internal, then mail jane@acme.io'), 'ssh <user>@<host>, then mail <email>');
  assert.equal(await one('DB_HOST=pg-primary-01 and --host buildbox7'), 'DB_HOST=<host> and --host <host-2>');
  // A package spec followed, later on the line, by a prompt character is not a prompt.
  const spec = 'npm install lodash@4.17.21 fixed it. jdoe@db01 ~ % make';
  assert.equal(await one(spec), 'npm install lodash@4.17.21 fixed it. <user>@<host> ~ % make');
});

test('IP addresses and phone numbers go; loopback, resolvers, netmasks and versions stay', async () => {
  assert.equal(await one('replica 10.0.3.17:6379, egress 52.14.7.201, v6 2001:db8:85a3::8a2e:370:7334'), 'replica <ip>:6379, egress <ip-2>, v6 <ip-3>');
  const kept = '127.0.0.1 0.0.0.0 8.8.8.8 255.255.255.0 10.0.0.0/8 ::1 version 1.2.3.4 std::vec 12:30:45';
  assert.equal(await one(kept), kept);
  for (const phone of ['+1 (415) 555-0132', '415-555-0132', '+44 20 7946 0958', '+49 30 12345678', '06 12 34 56 78', '+91 98765 43210']) {
    assert.equal(await one(`call ${phone} now`), 'call <phone> now', phone);
  }
  const notPhones = 'on 2024-05-01 at 10:12:44, port 5432, pid 123456, 1.2.3, #1234';
  assert.equal(await one(notPhones), notPhones);
});

test('organisations and repositories in code-host URLs and remotes go; well-known ones stay', async () => {
  assert.equal(await one('git clone git@github.com:acme-corp/payments-api.git'), 'git clone git@github.com:<org>/<repo>.git');
  assert.equal(await one('https://gitlab.com/acme/platform/infra-live/-/merge_requests/7'), 'https://gitlab.com/<org>/<org-2>/<repo>/-/merge_requests/7');
  assert.equal(await one('https://dev.azure.com/contoso/Platform/_git/billing'), 'https://dev.azure.com/<org>/<repo>/_git/<repo-2>');
  assert.equal(await one('import "github.com/acme/ledger/pkg/db"'), 'import "github.com/<org>/<repo>/pkg/db"');
  const kept = 'https://github.com/microsoft/vscode/pull/1 and github.com/stretchr/testify and https://github.com/settings/tokens';
  assert.equal(await one(kept), kept);
});

test('URLs keep their shape: an unencoded @ in a password, parentheses, a full stop after the URL', async () => {
  assert.equal(await one('postgres://app:p@ss@w0rd@db01.acme.internal:5432/app'), 'postgres://app:<secret>@<host>:5432/app');
  assert.equal(await one('see https://db.acme.io. and (https://git.acme.io/team/ledger-core).'), 'see https://<host>. and (https://<host-2>/<org>/<repo>).');
  assert.equal(await one('Cookie: sessionid=abcDEF1234567890xyz; theme=dark'), 'Cookie: sessionid=<secret>; theme=dark');
});

test('person names from author lines, git config and manifests', async () => {
  assert.equal(await one('Signed-off-by: Łukasz Nowak <lukasz@initech.pl>'), 'Signed-off-by: <name> <<email>>');
  assert.equal(await one('git config --global user.name "Siobhan Kelly"'), 'git config --global user.name "<name>"');
  assert.equal(await one('"author": "Rafael Silva <rafa@hooli.io> (https://hooli.io)",'), '"author": "<name> <<email>> (https://<host>)",');
  assert.equal(await one('Ping Priya Raman before changing the rate limits.'), 'Ping <name> before changing the rate limits.');
  const kept = 'Use Ruby on Rails, Jest and Visual Studio Code; Will Not Fix; Author: The Go Authors';
  assert.equal(await one(kept), kept);
});

test('hostile input costs linear time', async () => {
  const bombs = [
    'a'.repeat(200_000),
    'a@'.repeat(50_000),
    `${'a.'.repeat(50_000)}com`,
    `password=${'x'.repeat(100_000)}`,
    '-----BEGIN PRIVATE KEY-----'.repeat(2_000),
    `${'/home/'.repeat(20_000)}x`,
    `${'1.'.repeat(50_000)}1`,
    `${'ab:'.repeat(50_000)}`,
    `${'Jane '.repeat(40_000)}Doe`,
    `https://${'x'.repeat(100_000)}`,
  ];
  for (const text of bombs) {
    const t0 = performance.now();
    await anonymizeTexts([text], { names: ['Jane Doe'], terms: ['acme'] });
    const ms = performance.now() - t0;
    assert.ok(ms < 3000, `${JSON.stringify(text.slice(0, 30))}… took ${ms.toFixed(0)} ms`);
  }
});

test('any text: never throws, same input gives the same output, placeholders are the only change at replaced ranges', async () => {
  const pieces = ['jdoe@acme.io', '/home/jdoe', 'DB_PASSWORD=x9!Kq2', '10.1.2.3', ' ', '\n', ':', '=', '@', '/', '"', 'Jane Doe', 'ghp_', 'https://', '.internal', '-p', '\\'];
  const textArb = fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom(...pieces)), { maxLength: 30 }).map((xs) => xs.join(''));
  await fc.assert(
    fc.asyncProperty(fc.array(textArb, { minLength: 1, maxLength: 4 }), async (texts) => {
      const a = await anonymizeTexts(texts, { names: ['Jane Doe'], terms: ['acme'] });
      const b = await anonymizeTexts(texts, { names: ['Jane Doe'], terms: ['acme'] });
      assert.deepEqual(a, b);
      texts.forEach((t, i) => {
        // Rebuild the output from the original and the replacements: nothing else may change.
        let rebuilt = '';
        let at = 0;
        for (const r of a.replacements.filter((x) => x.item === i)) {
          assert.equal(t.slice(r.start, r.end), r.original);
          rebuilt += t.slice(at, r.start) + r.placeholder;
          at = r.end;
        }
        assert.equal(rebuilt + t.slice(at), a.texts[i]);
      });
    }),
    { numRuns: 150 },
  );
});
