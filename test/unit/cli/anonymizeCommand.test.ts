/**
 * `oel anonymize` through the real CLI process: a file or standard input in, the anonymized text out; `--jsonl` keeps
 * the order of the lines and their count, a malformed line is a clear error that prints nothing, and the whole
 * labelled corpus passes through `--jsonl` with the same recall as the library (team CI and auditors use this path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus } from '../../fixtures/anonymizer/corpus';
import { pct, scoreOutputs } from '../../fixtures/anonymizer/score';

function oel(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'anonymize', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

test('a file, or standard input, comes out anonymized with consistent placeholders', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oel-anon-'));
  const file = join(dir, 'lesson.md');
  const text = 'Run from /home/jdoe/app; mail jdoe@acme-corp.com or ops@acme-corp.com, again jdoe@acme-corp.com.\n';
  await writeFile(file, text);
  const expected = 'Run from <home>/app; mail <email> or <email-2>, again <email>.\n';
  const fromFile = await oel([file]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(fromFile.stdout, expected);
  const fromStdin = await oel(['-', '--report'], text);
  assert.equal(fromStdin.stdout, expected);
  assert.match(fromStdin.stderr, /^oel anonymize: 4 replacement\(s\) in 1 text\(s\): email 3, home 1\n$/);
  assert.ok(!fromStdin.stderr.includes('jdoe'), 'the report gives counts, never values');
  await rm(dir, { recursive: true });
});

test('--name and --term hide what only the caller knows', async () => {
  const r = await oel(['--name', 'Mariana Okonkwo', '--term', 'Project Falcon'], 'Mariana said Project Falcon slips.');
  assert.equal(r.stdout, '<name> said <term> slips.');
});

test('--jsonl writes one {"text"} line per input line, in the same order, one placeholder per value across lines', async () => {
  const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: i, text: `item ${i}: host-${i % 3}.acme.internal` }));
  const input = `${lines.slice(0, 30).join('\n')}\n\n${lines.slice(30).join('\r\n')}\n`;
  const r = await oel(['--jsonl'], input);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(out.length, 60, 'the empty line is skipped, every record answered');
  out.forEach((o, i) => {
    assert.deepEqual(Object.keys(o), ['text'], 'only the text is written back');
    assert.equal(o.text, `item ${i}: <host${i % 3 === 0 ? '' : `-${(i % 3) + 1}`}>`);
  });
});

test('a malformed line stops with its line number and why, and nothing is printed', async () => {
  const cases: [string, RegExp][] = [
    ['{"text": "ok"}\n{"text": "unterminated}\n', /^oel anonymize: line 2: not valid JSON \(/],
    ['{"text": "ok"}\n\n["text"]\n', /^oel anonymize: line 3: expected an object like \{"text": "\.\.\."\}, got an array\n$/],
    ['{"body": "x"}\n', /^oel anonymize: line 1: "text" must be a string, got no "text" field\n$/],
    ['{"text": 42}\n', /^oel anonymize: line 1: "text" must be a string, got number\n$/],
    ['null\n', /^oel anonymize: line 1: expected an object like \{"text": "\.\.\."\}, got null\n$/],
  ];
  for (const [input, re] of cases) {
    const r = await oel(['--jsonl'], input);
    assert.equal(r.code, 1, input);
    assert.equal(r.stdout, '', 'nothing is written when a line is bad');
    assert.match(r.stderr, re);
  }
});

test('bad usage says why with the usage; --help explains; an unreadable file is an error', async () => {
  const unknown = await oel(['--jsnol']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^oel anonymize: Unknown option '--jsnol'/);
  assert.match(unknown.stderr, /usage: oel anonymize \[FILE\|-\]/);
  const missingValue = await oel(['--name', '--jsonl']);
  assert.equal(missingValue.code, 2);
  assert.match(missingValue.stderr, /Option '--name' argument is ambiguous/);
  const two = await oel(['a.txt', 'b.txt']);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /one input at a time/);
  const help = await oel(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--jsonl {7}the input is JSON Lines/);
  const missing = await oel([join(tmpdir(), 'oel-anon-no-such-file.txt')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^oel anonymize: cannot read .*oel-anon-no-such-file\.txt: ENOENT/);
});

test('the labelled corpus through `oel anonymize --jsonl` meets the recall targets', async () => {
  const corpus = generateCorpus();
  const args = ['--jsonl', ...corpus.names.flatMap((n) => ['--name', n]), ...corpus.terms.flatMap((t) => ['--term', t])];
  const r = await oel(args, corpus.items.map((i) => JSON.stringify({ text: i.text })).join('\n'));
  assert.equal(r.code, 0, r.stderr);
  const outputs = r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { text: string }).text);
  assert.equal(outputs.length, corpus.items.length);
  const score = scoreOutputs(corpus.items, outputs);
  assert.ok(score.secret.ok / score.secret.total >= 0.995, `secret recall ${pct(score.secret)}`);
  assert.ok(score.personal.ok / score.personal.total >= 0.995, `personal recall ${pct(score.personal)}`);
  assert.ok(score.benign.ok / score.benign.total >= 0.95, `benign intact ${pct(score.benign)}`);
});
