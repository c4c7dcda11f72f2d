// Extraction prompt size for 10-step and 200-step synthetic trajectories (must stay within the trajectory budget).
import { buildExtractionPrompt, DEFAULT_TRAJECTORY_BUDGET } from '../../src/core/knowledge/extraction';
import { item, syntheticEpisode } from '../../test/unit/knowledge/helpers';
import { meetsTarget } from '../target';

const knowledge = Array.from({ length: 20 }, (_, i) => item(`K-bench${i}`, `Existing rule ${i} about tests and builds.`));
for (const n of [10, 200]) {
  const ep = syntheticEpisode(n, [{ kind: 'feedback', at: '2026-01-01T00:00:00.000Z', rating: 'up' }]);
  const t0 = performance.now();
  const p = buildExtractionPrompt({ episode: ep, knowledge, tombstones: [] });
  const ms = performance.now() - t0;
  console.log(`extraction prompt: ${n} model/tool pairs (${ep.steps.length} steps): trajectory ${p.trajectoryTokens} tokens (budget ${DEFAULT_TRAJECTORY_BUDGET}), whole prompt ${p.tokens} tokens, ${p.omittedSteps} steps omitted, built in ${ms.toFixed(0)} ms`);
  meetsTarget(`extraction prompt's trajectory part, ${n} pairs`, p.trajectoryTokens, { max: DEFAULT_TRAJECTORY_BUDGET }, ' tokens');
}
