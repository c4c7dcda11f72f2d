import { test } from 'node:test';
import assert from 'node:assert/strict';
import { episodeMarkdownWithLines } from '../../../src/extension/taskMarkdown';
import { syntheticEpisode } from '../knowledge/helpers';

test('Show Source lands on the step: every step line starts that step\'s block', () => {
  const ep = syntheticEpisode(3, [{ kind: 'citation', at: '2026-01-01T00:00:00.000Z', itemIds: ['K-abcd'] }]);
  const { text, stepLines } = episodeMarkdownWithLines(ep);
  const lines = text.split('\n');
  assert.equal(stepLines.length, ep.steps.length);
  assert.match(lines[stepLines[0]], /^## User$/);
  assert.match(lines[stepLines[1]], /^### Assistant \(turn 1\)$/);
  assert.match(lines[stepLines[2]], /^#### Tool `read_file` — ok \(\d+ ms\)$/);
  const citation = ep.steps.findIndex((s) => s.kind === 'citation');
  assert.equal(lines[stepLines[citation]], '- Cited knowledge: K-abcd');
  assert.match(lines[stepLines[ep.steps.length - 1]], /^---$/);
});
