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

test('the task document says why each knowledge item was in context, and what a follow-up changed', () => {
  const slot = (ids: string[]) => ({ version: 'v', itemIds: ids, text: 'x', tokens: 1, ranker: 'lexical', chosen: ids.map((id) => ({ id, score: 1, reason: 'request', why: `matches the request on ${id.slice(2)}` })) });
  const ep = syntheticEpisode(1, [{ kind: 'user', at: '2026-01-01T00:00:00.000Z', text: 'and the login?', knowledge: slot(['K-aaaa', 'K-login']) }]);
  ep.systemPrompt.knowledge = slot(['K-aaaa']);
  const { text, stepLines } = episodeMarkdownWithLines(ep);
  assert.match(text, /^- Knowledge items in context: K-aaaa \(matches the request on aaaa\) \(version v\)$/m);
  const followUp = ep.steps.findIndex((s) => s.kind === 'user' && s.knowledge);
  const lines = text.split('\n');
  assert.equal(lines[stepLines[followUp]], '## User');
  assert.match(text, /^- Knowledge in context from here: K-aaaa \(matches the request on aaaa\), K-login \(matches the request on login\)$/m);
  assert.match(lines[stepLines[followUp + 1]], /^---$|^### |^- /, 'the next step still starts where Show Source expects it');
});

test('the task document names the team adapter the task ran with, and its tokens saved; a hand-edited value carries no markup', () => {
  const ep = syntheticEpisode(1);
  ep.adapter = { version: '127.0.0.1_8787#3', tokensSaved: 120 };
  assert.match(episodeMarkdownWithLines(ep).text, /^- Team adapter: v3 from `127\.0\.0\.1_8787` \(saved 120 prompt tokens\)$/m);
  ep.adapter = { version: '`x` [click](javascript:alert(1))' };
  const line = episodeMarkdownWithLines(ep).text.split('\n').find((l) => l.startsWith('- Team adapter'))!;
  assert.ok(!/[`[\]()]/.test(line.slice('- Team adapter: '.length)), line);
  delete ep.adapter;
  assert.ok(!episodeMarkdownWithLines(ep).text.includes('Team adapter'));
});
