/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS is what the VS Code test host loads */
// Extension-host smoke test, loaded by @vscode/test-electron: activates OEL Agent and checks its contributions.
const assert = require('node:assert/strict');
const vscode = require('vscode');

const COMMANDS = [
  'oel.newTask', 'oel.stop', 'oel.setApiKey', 'oel.clearApiKey', 'oel.testConnection', 'oel.openSettings', 'oel.showLog',
  'oel.openTask', 'oel.exportTask', 'oel.deleteTask', 'oel.deleteAllTasks', 'oel.acceptEdit', 'oel.rejectEdit',
];

async function run() {
  const ext = vscode.extensions.getExtension('oel.oel-agent');
  assert.ok(ext, 'extension oel.oel-agent is installed');
  const api = await ext.activate();
  assert.ok(ext.isActive, 'extension activated');
  assert.ok(api && api.context, 'activate returns the context API');
  const all = new Set(await vscode.commands.getCommands(true));
  const missing = COMMANDS.filter((c) => !all.has(c));
  assert.deepEqual(missing, [], `commands registered (missing: ${missing.join(', ')})`);
  const cfg = vscode.workspace.getConfiguration('oel');
  assert.equal(cfg.get('provider.baseUrl'), 'http://127.0.0.1:11434/v1');
  assert.equal(cfg.get('agent.maxSteps'), 25);
  assert.equal(cfg.get('approval.edit'), 'ask');
  await vscode.commands.executeCommand('oel.showLog');
  console.log(`vscode smoke: ok (${COMMANDS.length} commands)`);
}

module.exports = { run };
