/**
 * The anonymizer on the seeded, labelled corpus (test/fixtures/anonymizer): recall on planted secrets and on personal
 * or environment data must be at least 99.5%, and at least 95% of the benign look-alikes must come out verbatim.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonymizeTexts } from '../../../../src/core/anonymize/anonymize';
import { generateCorpus } from '../../../fixtures/anonymizer/corpus';
import { pct, scoreOutputs } from '../../../fixtures/anonymizer/score';
import { wildItems } from '../../../fixtures/anonymizer/wild';

const corpus = generateCorpus();

test('the corpus is as large and as varied as the targets require', () => {
  const planted = corpus.items.flatMap((i) => i.planted);
  const count = (c: string) => planted.filter((p) => p.category === c).length;
  const kinds = (c: string) => new Set(planted.filter((p) => p.category === c).map((p) => p.kind)).size;
  assert.ok(count('secret') >= 300 && kinds('secret') >= 30, `${count('secret')} secrets of ${kinds('secret')} kinds`);
  assert.ok(count('personal') >= 200, `${count('personal')} personal values`);
  assert.ok(count('benign') >= 100, `${count('benign')} benign values`);
  assert.deepEqual(generateCorpus().items.map((i) => i.text), corpus.items.map((i) => i.text), 'the same seed gives the same corpus');
});

test('recall on secrets and on personal data is at least 99.5%, benign text intact at least 95%', async () => {
  const result = await anonymizeTexts(corpus.items.map((i) => i.text), { names: corpus.names, terms: corpus.terms });
  const score = scoreOutputs(corpus.items, result.texts);
  const misses = score.misses.slice(0, 10).map((m) => `${m.category}/${m.kind}: ${m.value}\n    in: ${m.output.slice(0, 300)}`).join('\n');
  assert.ok(score.secret.ok / score.secret.total >= 0.995, `secret recall ${pct(score.secret)}\n${misses}`);
  assert.ok(score.personal.ok / score.personal.total >= 0.995, `personal recall ${pct(score.personal)}\n${misses}`);
  assert.ok(score.benign.ok / score.benign.total >= 0.95, `benign intact ${pct(score.benign)}\n${misses}`);
});

test('hand-written samples in shapes the generator does not produce all come out right', async () => {
  const items = wildItems();
  const result = await anonymizeTexts(items.map((i) => i.text));
  const score = scoreOutputs(items, result.texts);
  assert.deepEqual(score.misses.map((m) => `${m.category}: ${m.value} in ${m.output}`), []);
});
