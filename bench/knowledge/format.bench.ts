// Parse + serialize of a 1,000-item knowledge file (target: median ≤ 10 ms). Prints the figures.
import { parseKnowledge, serializeKnowledge, type KnowledgeBlock } from '../../src/core/knowledge/format';
import { meetsTarget } from '../target';

const blocks: KnowledgeBlock[] = [{ kind: 'text', lines: ['# OEL knowledge', '', 'Notes written by hand.', ''] }];
for (let i = 0; i < 1000; i++) {
  blocks.push({
    kind: 'item',
    tombstone: false,
    item: {
      id: `K-${i.toString(36).padStart(8, '0')}`, status: i % 10 === 0 ? 'pinned' : 'accepted', text: `Item ${i}: run the type checker after editing files under src/core, and read the failing test first.`,
      scope: i % 3 ? 'workspace' : 'user', sources: [{ episode: `20260101T000000Z-${i.toString(16).padStart(8, '0')}`, step: i % 40 }], created: '2026-01-01T00:00:00.000Z', updated: '2026-01-02T00:00:00.000Z',
      helpful: i % 7, harmful: i % 3, consolidated: false, flags: [], extra: [],
    },
  });
}
const text = serializeKnowledge({ blocks, eol: '\n', finalNewline: true });
const times: number[] = [];
for (let r = 0; r < 60; r++) {
  const t0 = performance.now();
  const out = serializeKnowledge(parseKnowledge(text).doc);
  times.push(performance.now() - t0);
  if (out !== text) throw new Error('round trip changed the file');
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`knowledge format: 1000 items, ${(text.length / 1024).toFixed(0)} KiB, parse+serialize median ${median.toFixed(2)} ms, p90 ${times[Math.floor(times.length * 0.9)].toFixed(2)} ms, min ${times[0].toFixed(2)} ms`);
meetsTarget('knowledge parse + serialize of 1,000 items, median', median, { max: 10 }, ' ms');
