/**
 * Serves the team dashboard: static files built by scripts/build.mjs into `dist/dashboard/` (index.html, the bundled
 * script and stylesheet). Only the names below are ever served, so no request can reach another file. Every answer
 * carries a Content-Security-Policy that allows this origin's own script and styles and nothing else: no inline
 * script, no third-party host, no framing.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';

/** The page's policy: only its own files, and fetches to its own origin. */
export const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "font-src 'self'", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** Headers on every dashboard answer. */
export const DASHBOARD_HEADERS: Record<string, string> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // The files are small; revalidating every load keeps a rebuilt dashboard from mixing with a cached one.
  'cache-control': 'no-cache',
};

/** URL path -> file name in the dashboard folder, and its type. Nothing else is served. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  '/dashboard/dashboard.js.map': { file: 'dashboard.js.map', type: 'application/json; charset=utf-8' },
  '/dashboard/dashboard.css.map': { file: 'dashboard.css.map', type: 'application/json; charset=utf-8' },
};

/**
 * Where the built dashboard is: next to the running `oel` program (`dist/cli.cjs` -> `dist/dashboard/`), or the
 * checkout's `dist/dashboard/` (tests and `tsx src/cli/main.ts` run from the repository root). Null when not built.
 */
export function findDashboardDir(): string | null {
  const script = process.argv[1] ? dirname(resolve(process.argv[1])) : null;
  const candidates = [...(script ? [join(script, 'dashboard')] : []), resolve('dist', 'dashboard')];
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? null;
}

/** Answers GET/HEAD for a dashboard path; returns false when the path is not the dashboard's. */
export function serveDashboard(method: string, path: string, dir: string | null, res: ServerResponse): boolean {
  const entry = FILES[path];
  if (!entry || (method !== 'GET' && method !== 'HEAD')) return false;
  const file = dir ? join(dir, entry.file) : null;
  if (!file || !existsSync(file)) {
    const text = path === '/' ? 'The dashboard is not built: run `npm run build` (it writes dist/dashboard/).\n' : 'not found\n';
    res.writeHead(path === '/' ? 503 : 404, { ...DASHBOARD_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(method === 'HEAD' ? undefined : text);
    return true;
  }
  const bytes = readFileSync(file);
  res.writeHead(200, { ...DASHBOARD_HEADERS, 'content-type': entry.type, 'content-length': bytes.length });
  res.end(method === 'HEAD' ? undefined : bytes);
  return true;
}
