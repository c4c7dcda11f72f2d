import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { itemLines } from '../../../src/core/knowledge/format';
import { item } from './helpers';

interface Rule { match?: string; begin?: string; end?: string; patterns?: Rule[] }

test('grammar and language configuration are valid JSON; patterns compile and match serializer output', () => {
  const g = JSON.parse(readFileSync('syntaxes/knowledge.tmLanguage.json', 'utf8')) as { scopeName: string; repository: Record<string, Rule> };
  JSON.parse(readFileSync('language-configuration.json', 'utf8'));
  assert.equal(g.scopeName, 'text.oel.knowledge');
  const all: Rule[] = [];
  const walk = (r: Rule): void => { all.push(r); r.patterns?.forEach(walk); };
  Object.values(g.repository).forEach(walk);
  for (const r of all) for (const re of [r.match, r.begin, r.end]) if (re) new RegExp(re);
  const lines = itemLines(item('K-abcd1234', 'Run `npm test` first.', { flags: [{ kind: 'command', reason: 'backticked shell command' }] }), false);
  assert.match(lines[0], new RegExp(g.repository.item.match!));
  assert.match(lines[1], new RegExp(g.repository.metadata.begin!));
  assert.match(lines[lines.length - 1], new RegExp(g.repository.metadata.end!));
  const meta = g.repository.metadata.patterns!;
  for (const l of lines.slice(2, -1)) assert.ok(meta.slice(0, -1).some((p) => new RegExp(p.match!).test(l)), l);
});
