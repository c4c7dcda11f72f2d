// The team settings that decide what leaves the machine: a repository's .vscode/settings.json can only make sharing
// stricter (turn it off, add terms to hide, force manual sends), never turn it on; Restricted Mode shares nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cleanTerms, readTeamSharing, type LocalTeamChoices } from '../../../src/extension/team/teamSettings';
import type { SettingInspection } from '../../../src/extension/settings';

interface Property { default?: unknown; scope?: string }
const properties: Record<string, Property> = Object.assign({}, ...(JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, Property> }[] } })
  .contributes.configuration.map((s) => s.properties));

const read = (user: Record<string, unknown>, workspace: Record<string, unknown> = {}, local: LocalTeamChoices = {}, trusted = true) =>
  readTeamSharing((key): SettingInspection => ({ defaultValue: properties[`oel.team.${key}`]?.default, globalValue: user[key], workspaceValue: workspace[key] }), local, trusted);

test('package.json declares every team sharing setting with a safe default', () => {
  assert.equal(properties['oel.team.shareWorkspaceKnowledge']?.default, true);
  assert.equal(properties['oel.team.shareByDefault']?.default, 'no');
  assert.equal(properties['oel.team.shareTaskStatements']?.default, false);
  assert.equal(properties['oel.team.schedule']?.default, 'manual');
  assert.deepEqual(properties['oel.team.alsoHide']?.default, []);
  const s = read({});
  assert.deepEqual({ ...s }, { shareWorkspaceKnowledge: true, shareByDefault: 'no', shareTaskStatements: false, schedule: 'manual', alsoHide: [] });
});

test('a hostile repository cannot turn sharing on', () => {
  const hostile = { shareWorkspaceKnowledge: true, shareByDefault: 'yes', shareTaskStatements: true, schedule: 'daily' };
  const s = read({ shareWorkspaceKnowledge: false }, hostile);
  assert.equal(s.shareWorkspaceKnowledge, false, 'the user turned workspace sharing off');
  assert.equal(s.shareByDefault, 'no', 'the default consent stays no');
  assert.equal(s.shareTaskStatements, false, 'task statements stay private');
  assert.equal(s.schedule, 'manual', 'no automatic sends without the user');
});

test('a repository can turn sharing off, force manual sends and add terms to hide', () => {
  const s = read({ shareByDefault: 'yes', shareTaskStatements: true, schedule: 'daily', alsoHide: ['acme'] },
    { shareWorkspaceKnowledge: false, shareByDefault: 'no', shareTaskStatements: false, schedule: 'manual', alsoHide: ['Project Falcon', 'ACME'] });
  assert.equal(s.shareWorkspaceKnowledge, false);
  assert.match(s.workspaceOffReason ?? '', /this workspace's settings/);
  assert.equal(s.shareByDefault, 'no');
  assert.equal(s.shareTaskStatements, false);
  assert.equal(s.schedule, 'manual');
  assert.deepEqual(s.alsoHide, ['acme', 'Project Falcon'], 'terms add up, duplicates dropped case-insensitively');
});

test("the user's own choices turn sharing on: user settings, or the per-workspace choice kept on this machine", () => {
  const s = read({ shareByDefault: 'yes', shareTaskStatements: true, schedule: 'weekly' });
  assert.deepEqual([s.shareByDefault, s.shareTaskStatements, s.schedule], ['yes', true, 'weekly']);
  const local = read({ shareWorkspaceKnowledge: false }, {}, { shareWorkspaceKnowledge: true, shareByDefault: 'yes' });
  assert.equal(local.shareWorkspaceKnowledge, true, 'this workspace allowed by the user on this machine');
  assert.equal(local.shareByDefault, 'yes');
  // ...but a repository's "no" still wins over the local choice.
  assert.equal(read({}, { shareByDefault: 'no' }, { shareByDefault: 'yes' }).shareByDefault, 'no');
});

test('Restricted Mode shares nothing from the workspace and no task statements', () => {
  const s = read({ shareTaskStatements: true }, {}, { shareWorkspaceKnowledge: true }, false);
  assert.equal(s.shareWorkspaceKnowledge, false);
  assert.equal(s.shareTaskStatements, false);
  assert.match(s.workspaceOffReason ?? '', /Restricted Mode/);
});

test('"also hide" terms from settings are cleaned: strings only, trimmed, at least 3 characters, bounded', () => {
  assert.deepEqual(cleanTerms([[' acme ', 7, '', 'a', 'ab', 'Acme', 'x'.repeat(500)], 'not a list', ['Falcon']]), ['acme', 'Falcon']);
  assert.equal(cleanTerms([Array.from({ length: 1000 }, (_, i) => `term${i}`)]).length, 200);
});
