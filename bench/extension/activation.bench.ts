// Activation cost of the bundled extension (dist/extension.cjs): loading the bundle (module evaluation) plus
// `activate()`, against a minimal stand-in `vscode` module injected with a Module._load hook. Each sample is a fresh
// plain Node process (no tsx hooks), so nothing is cached between samples. Target: p50 of load + activate <= 50 ms.
// Run: npm run build && node --import tsx bench/extension/activation.bench.ts   (prints one JSON line)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { meetsTarget } from '../target';

const BUNDLE = resolve(process.env.OEL_BENCH_BUNDLE ?? 'dist/extension.cjs');
const SAMPLES = Number(process.env.OEL_BENCH_SAMPLES ?? 15);

// The child: plain CommonJS, run with `node -e`. The stand-in answers every property with a do-nothing value that
// works as a function, a constructor, an event and a disposable; the classes the bundle extends are real classes.
const CHILD = String.raw`
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const any = new Proxy(function () {}, {
  get: (_t, p) => (p === 'then' ? undefined : p === Symbol.toPrimitive ? () => '' : p === Symbol.iterator ? function* () {} : any),
  apply: () => any, construct: () => any, set: () => true,
});
const ns = (o) => new Proxy(o, { get: (t, p) => (p in t ? t[p] : any) });
class Base { constructor(...a) { this.args = a; } }
const uri = (p) => ({ fsPath: p, path: p, scheme: 'file', toString: () => 'file://' + p });
const vscode = {
  EventEmitter: class { constructor() { this.event = () => ({ dispose() {} }); } fire() {} dispose() {} },
  Disposable: class { constructor(fn) { this.fn = fn; } dispose() { if (this.fn) this.fn(); } static from(...d) { return { dispose: () => d.forEach((x) => x.dispose()) }; } },
  TreeItem: Base, ThemeIcon: Base, ThemeColor: Base, MarkdownString: Base, Range: Base, WorkspaceEdit: Base, CodeLens: Base,
  Diagnostic: Base, RelativePattern: Base, DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 }, StatusBarAlignment: { Left: 1, Right: 2 }, ProgressLocation: { Notification: 15 },
  Uri: { file: uri, joinPath: (u, ...parts) => uri([u.path, ...parts].join('/')), from: () => uri('/') },
  window: ns({}), commands: ns({ executeCommand: () => Promise.resolve() }), languages: ns({}), env: ns({}),
  workspace: ns({ isTrusted: true, workspaceFolders: [], getConfiguration: () => ({ get: (_k, d) => d, inspect: () => undefined }) }),
};
const original = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : original.call(this, request, ...rest); };
const t0 = performance.now();
const ext = require(process.env.OEL_BUNDLE);
const t1 = performance.now();
// Mementos answer their defaults: a fresh install (the team connection reads its pin from global state).
const memento = () => ({ get: (_k, d) => d, update: () => Promise.resolve(), keys: () => [] });
ext.activate({ subscriptions: [], extensionUri: uri('/ext'), globalStorageUri: uri('/tmp/oel-bench-global'), storageUri: undefined, secrets: any, globalState: memento(), workspaceState: memento() });
const t2 = performance.now();
ext.deactivate();
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1 }));
process.exit(0);
`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x: number) => Math.round(x * 100) / 100;

if (!existsSync(BUNDLE)) { console.error('activation bench: run `npm run build` first (no dist/extension.cjs)'); process.exit(1); }
const loads: number[] = [];
const activations: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const r = spawnSync(process.execPath, ['-e', CHILD], { env: { ...process.env, OEL_BUNDLE: BUNDLE }, encoding: 'utf8' });
  if (r.status !== 0) { console.error(r.stderr || r.stdout); process.exit(1); }
  const s = JSON.parse(r.stdout) as { loadMs: number; activateMs: number };
  loads.push(s.loadMs);
  activations.push(s.activateMs);
}
const totals = loads.map((l, i) => l + activations[i]);
const p50 = pct(totals, 50);
console.log(JSON.stringify({
  bench: 'extension.activation', bundle: process.env.OEL_BENCH_BUNDLE ?? 'dist/extension.cjs', samples: SAMPLES,
  loadP50Ms: round(pct(loads, 50)), activateP50Ms: round(pct(activations, 50)), totalP50Ms: round(p50), totalP90Ms: round(pct(totals, 90)),
  targetMs: 50, withinTarget: p50 <= 50,
}));
meetsTarget('extension load + activate, p50', p50, { max: 50 }, ' ms');
