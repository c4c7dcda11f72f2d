import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isExtensionMessage } from '../../../../src/core/protocol/webviewGuard';
import { ExtensionToWebviewSchema } from '../../../../src/core/protocol/webview';

test('the view accepts every message type the protocol defines, and nothing else', () => {
  const types = ExtensionToWebviewSchema.options.map((o) => o.shape.type.value);
  for (const type of types) assert.ok(isExtensionMessage({ type }), type);
  for (const raw of [{ type: 'evalThis' }, { type: 'toString' }, { type: '__proto__' }, { kind: 'init' }, null, 'init', ['init'], 42]) {
    assert.equal(isExtensionMessage(raw), false, JSON.stringify(raw));
  }
});

test('the webview source reaches the protocol only through types and the guard, so zod stays out of its bundle', () => {
  const files = ['src/webview/agent.ts', ...readdirSync('src/webview/agent').map((f) => `src/webview/agent/${f}`)];
  const src = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  for (const m of src.matchAll(/^import (type )?.*from '([^']+)';$/gm)) {
    if (m[1]) continue; // type-only imports are erased
    assert.ok(!/zod|protocol\/webview$/.test(m[2]), `runtime import of ${m[2]} in the webview`);
  }
});
