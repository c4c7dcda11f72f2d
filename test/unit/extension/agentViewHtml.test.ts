// The Agent view renders model output and repository text: its Content-Security-Policy is what keeps anything
// injected there from running. These tests read the policy the view really ships and the tags around it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentViewHtml } from '../../../src/extension/agentViewHtml';

const opts = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'q1Wv9uX3bN0tYc7ZkLm2Hg==',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/agent.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/agent.css',
  codiconUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/codicons/codicon.css',
};
const html = agentViewHtml(opts);

/** The policy's directives, name → sources, from the one CSP meta tag (asserted to be the only one). */
function policy(doc: string): Map<string, string[]> {
  const metas = [...doc.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*>/gi)];
  assert.equal(metas.length, 1, 'exactly one CSP meta tag');
  const out = new Map<string, string[]>();
  for (const d of metas[0][1].split(';').map((x) => x.trim()).filter(Boolean)) {
    const [name, ...sources] = d.split(/\s+/);
    assert.ok(!out.has(name), `directive ${name} given twice`);
    out.set(name, sources);
  }
  return out;
}

test('the policy denies by default and allows only the extension\'s own resources', () => {
  const csp = policy(html);
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('style-src'), [opts.cspSource]);
  assert.deepEqual(csp.get('font-src'), [opts.cspSource]);
  assert.deepEqual(csp.get('img-src'), [opts.cspSource, 'data:']);
  // Nothing else is relaxed: no connect-src, frame-src... (they fall back to default-src 'none').
  assert.deepEqual([...csp.keys()].sort(), ['default-src', 'font-src', 'img-src', 'script-src', 'style-src']);
  for (const [name, sources] of csp) {
    for (const bad of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*', 'http:', 'https:']) {
      assert.ok(!sources.includes(bad), `${name} allows ${bad}`);
    }
  }
});

test('scripts run only with this load\'s nonce, and the page has no inline script', () => {
  assert.deepEqual(policy(html).get('script-src'), [`'nonce-${opts.nonce}'`]);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  assert.equal(scripts.length, 1);
  const [, attrs, body] = scripts[0];
  assert.match(attrs, new RegExp(`\\snonce="${opts.nonce.replace(/[+/=]/g, '\\$&')}"`));
  assert.match(attrs, new RegExp(`\\ssrc="${opts.scriptUri.replace(/[.+/]/g, '\\$&')}"`));
  assert.equal(body.trim(), '', 'the script is loaded from its file, not inline');
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handler attributes');
  assert.doesNotMatch(html, /javascript:/i);
});

test('the policy comes before anything it governs, and each load gets the nonce it was given', () => {
  const at = (re: RegExp) => html.search(re);
  const meta = at(/<meta\s+http-equiv="Content-Security-Policy"/i);
  assert.ok(meta >= 0 && meta < at(/<link\b/i) && meta < at(/<script\b/i), 'CSP meta precedes the style sheets and the script');
  assert.ok(html.includes(`href="${opts.codiconUri}"`) && html.includes(`href="${opts.styleUri}"`));
  const other = agentViewHtml({ ...opts, nonce: 'AnotherNonce123' });
  assert.deepEqual(policy(other).get('script-src'), ["'nonce-AnotherNonce123'"]);
  assert.ok(!other.includes(opts.nonce), 'no stale nonce left in the page');
});
