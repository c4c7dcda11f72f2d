import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FLAG_KINDS, KNOWLEDGE_STATUSES, parseKnowledge, serializeKnowledge, liveItems, tombstones, type KnowledgeBlock, type KnowledgeDocument, type KnowledgeItem } from '../../../src/core/knowledge/format';
import { item } from './helpers';

const sample = `# OEL knowledge

My own note: keep these short.

- K-abcd1234 [accepted] Run the type checker before committing.
  <!-- oel
  scope: workspace
  sources: 20260101T000000Z-abcd1234#3, 20260101T000000Z-abcd1234#7
  created: 2026-01-01T00:00:00.000Z
  updated: 2026-01-02T00:00:00.000Z
  helpful: 2
  harmful: 1
  consolidated: false
  -->
- K-pin1 [pinned] Tests live under test/unit.
  <!-- oel
  scope: user
  sources: -
  helpful: 0
  harmful: 0
  consolidated: adapter-3
  flag: url: contains a URL
  custom: kept
  -->

* a hand-written bullet
  with a continuation

## Pruned

- K-old99 [pruned] Old advice.
  <!-- oel
  scope: workspace
  sources: -
  helpful: 0
  harmful: 3
  consolidated: false
  was: accepted
  pruned: 2026-01-03T00:00:00.000Z
  -->
`;

test('serializer output round-trips byte for byte and fields parse', () => {
  const { doc, diagnostics } = parseKnowledge(sample);
  assert.deepEqual(diagnostics, []);
  assert.equal(serializeKnowledge(doc), sample);
  const live = liveItems(doc);
  assert.deepEqual(live.map((i) => i.id), ['K-abcd1234', 'K-pin1']);
  assert.equal(live[0].helpful, 2);
  assert.deepEqual(live[0].sources[1], { episode: '20260101T000000Z-abcd1234', step: 7 });
  assert.equal(live[1].consolidated, 'adapter-3');
  assert.deepEqual(live[1].extra, [['custom', 'kept']]);
  const t = tombstones(doc);
  assert.equal(t[0].status, 'accepted');
  assert.equal(t[0].pruned, '2026-01-03T00:00:00.000Z');
});

test('CRLF and missing final newline are preserved', () => {
  const crlf = sample.replace(/\n/g, '\r\n');
  assert.equal(serializeKnowledge(parseKnowledge(crlf).doc), crlf);
  const noNl = sample.slice(0, -1);
  assert.equal(serializeKnowledge(parseKnowledge(noNl).doc), noNl);
  assert.equal(serializeKnowledge(parseKnowledge('').doc), '');
});

test('malformed items become diagnostics with their line, text kept', () => {
  const src = ['# K', '- K-AB [accepted] bad id', '- K-good1 [maybe] bad status', '- K-good2 [accepted] ok', '  <!-- oel', '  helpful: lots', '  -->', '- K-good3 [pending] fine', '- K-good3 [pending] duplicate', ''].join('\n');
  const { doc, diagnostics } = parseKnowledge(src);
  assert.deepEqual(diagnostics.map((d) => [d.line, d.severity]), [[2, 'error'], [3, 'error'], [6, 'error'], [8, 'info'], [9, 'error']]);
  assert.match(diagnostics[2].message, /helpful/);
  assert.deepEqual(liveItems(doc).map((i) => i.id), ['K-good3']);
  const out = serializeKnowledge(doc);
  for (const l of ['- K-AB [accepted] bad id', '- K-good1 [maybe] bad status', '  helpful: lots', '- K-good3 [pending] duplicate']) assert.ok(out.includes(l), l);
});

test('unclosed metadata comment is an error and the rest is kept as text', () => {
  const src = '- K-abcd [accepted] x y z\n  <!-- oel\n  scope: user\n';
  const { doc, diagnostics } = parseKnowledge(src);
  assert.equal(diagnostics[0].line, 2);
  assert.equal(serializeKnowledge(doc), src);
});

const safeLine = fc.stringMatching(/^[a-zA-Z0-9 ,.:()`'"!?-]{0,40}$/).filter((l) => !/^[-*+] K-/.test(l) && !/^#/.test(l) && l !== '  <!-- oel');
const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const itemArb: fc.Arbitrary<KnowledgeItem> = fc.record({
  id: fc.stringMatching(/^[a-z0-9]{4,12}$/).map((s) => `K-${s}`),
  status: fc.constantFrom(...KNOWLEDGE_STATUSES),
  text: fc.stringMatching(/^[a-zA-Z0-9`'".,:;!?()-]([a-zA-Z0-9 `'".,:;!?()-]{0,60}[a-zA-Z0-9`'".,:;!?()-])?$/),
  scope: fc.constantFrom('workspace' as const, 'user' as const),
  sources: fc.array(fc.record({ episode: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), step: fc.nat(500) }), { maxLength: 3 }),
  created: fc.option(iso, { nil: undefined }),
  updated: fc.option(iso, { nil: undefined }),
  helpful: fc.nat(50),
  harmful: fc.nat(50),
  consolidated: fc.oneof(fc.constant(false as const), fc.stringMatching(/^[a-z0-9.-]{1,10}$/)),
  overBudget: fc.option(fc.constant(true as const), { nil: undefined }),
  flags: fc.array(fc.record({ kind: fc.constantFrom(...FLAG_KINDS), reason: fc.stringMatching(/^[a-z][a-z ]{0,20}[a-z]$/) }), { maxLength: 2 }),
  pruned: fc.constant(undefined),
  extra: fc.array(fc.tuple(fc.constantFrom('note', 'owner', 'x-tag'), fc.stringMatching(/^[a-z0-9]{1,8}$/)), { maxLength: 1 }),
}, { requiredKeys: ['id', 'status', 'text', 'scope', 'sources', 'helpful', 'harmful', 'consolidated', 'flags', 'extra'] });

const docArb = fc.record({
  head: fc.array(safeLine, { maxLength: 4 }),
  live: fc.array(fc.tuple(itemArb, fc.array(safeLine, { maxLength: 2 })), { maxLength: 6 }),
  pruned: fc.array(fc.tuple(itemArb, iso), { maxLength: 3 }),
  crlf: fc.boolean(),
}).map(({ head, live, pruned, crlf }): KnowledgeDocument => {
  const blocks: KnowledgeBlock[] = [];
  const seen = new Set<string>();
  if (head.length) blocks.push({ kind: 'text', lines: head });
  for (const [it, after] of live) {
    if (seen.has(it.id)) continue;
    seen.add(it.id);
    blocks.push({ kind: 'item', item: it, tombstone: false });
    if (after.length) blocks.push({ kind: 'text', lines: after });
  }
  if (pruned.length) {
    blocks.push({ kind: 'pruned-heading', line: '## Pruned' });
    for (const [it, when] of pruned) {
      if (seen.has(it.id)) continue;
      seen.add(it.id);
      blocks.push({ kind: 'item', item: { ...it, pruned: when }, tombstone: true });
    }
  }
  return { blocks, eol: crlf ? '\r\n' : '\n', finalNewline: true };
});

test('property: serialize(parse(serialize(doc))) === serialize(doc), no diagnostics', () => {
  fc.assert(fc.property(docArb, (doc) => {
    const text = serializeKnowledge(doc);
    const { doc: back, diagnostics } = parseKnowledge(text);
    assert.deepEqual(diagnostics.filter((d) => d.severity !== 'info'), []);
    assert.equal(serializeKnowledge(back), text);
    assert.equal(liveItems(back).length, liveItems(doc).length);
  }), { numRuns: 100 });
});

test('property: arbitrary text never throws and round-trips after one canonical pass', () => {
  fc.assert(fc.property(fc.array(fc.oneof(safeLine, fc.constantFrom('- K-abcd [accepted] t', '  <!-- oel', '  -->', '## Pruned', '  helpful: 1')), { maxLength: 12 }), (lines) => {
    const once = serializeKnowledge(parseKnowledge(lines.join('\n')).doc);
    assert.equal(serializeKnowledge(parseKnowledge(once).doc), once);
  }), { numRuns: 100 });
});

test('item() helper serializes to a parseable item', () => {
  const doc: KnowledgeDocument = { blocks: [{ kind: 'item', item: item('K-abcd', 'hello world'), tombstone: false }], eol: '\n', finalNewline: true };
  assert.deepEqual(liveItems(parseKnowledge(serializeKnowledge(doc)).doc)[0], item('K-abcd', 'hello world'));
});

test('locateItems: bullet lines as parsed, hand-written items included', async () => {
  const { locateItems } = await import('../../../src/core/knowledge/format');
  const text = '# K\n\nnote\n- K-aaaa [accepted] hand written\n- K-bbbb [pending] with meta\n  <!-- oel\n  scope: user\n  -->\n\n## Pruned\n- K-cccc [pruned] gone\n';
  const locs = locateItems(parseKnowledge(text).doc);
  assert.deepEqual(locs.map((l) => [l.id, l.line, l.tombstone]), [['K-aaaa', 3, false], ['K-bbbb', 4, false], ['K-cccc', 10, true]]);
  const lines = text.split('\n');
  for (const l of locs) assert.ok(lines[l.line].includes(l.id));
});

test('inactive: budget round-trips and rejects other values', () => {
  const text = '- K-aaaa [inactive] over\n  <!-- oel\n  scope: workspace\n  sources: -\n  helpful: 0\n  harmful: 0\n  consolidated: false\n  inactive: budget\n  -->\n';
  const { doc, diagnostics } = parseKnowledge(text);
  assert.deepEqual(diagnostics, []);
  assert.equal(liveItems(doc)[0].overBudget, true);
  assert.equal(serializeKnowledge(doc), text);
  const bad = parseKnowledge(text.replace('inactive: budget', 'inactive: later'));
  assert.match(bad.diagnostics[0].message, /inactive must be 'budget'/);
  assert.equal(bad.diagnostics[0].line, 8);
});
