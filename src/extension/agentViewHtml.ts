/**
 * The HTML document of the extension's webviews (the Agent view, the Learning view): one script and two style sheets
 * from the extension, under a strict Content-Security-Policy. Pure (no `vscode` import), so the policy is
 * unit-tested; webviewSetup.ts supplies the URIs.
 */

/** What one webview page is: its bundle and stylesheet URIs, its title and the element its script renders into. */
export interface WebviewPage {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  title: string;
  /** The root element: `<div>` or `<main>`, with this `data-testid`. */
  root: { tag: 'div' | 'main'; testId: string };
}

/**
 * A webview's HTML. Its Content-Security-Policy allows nothing by default; scripts only with the per-load `nonce` (so
 * no inline script and nothing a rendered string could inject runs), styles, fonts and images only from the
 * webview's own resource origin (`cspSource`; images also as data: URIs).
 */
export function webviewHtml(page: WebviewPage): string {
  const csp = [
    "default-src 'none'",
    `style-src ${page.cspSource}`,
    `font-src ${page.cspSource}`,
    `img-src ${page.cspSource} data:`,
    `script-src 'nonce-${page.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${page.codiconUri}">
<link rel="stylesheet" href="${page.styleUri}">
<title>${page.title}</title>
</head>
<body>
<${page.root.tag} id="app" data-testid="${page.root.testId}"></${page.root.tag}>
<script nonce="${page.nonce}" src="${page.scriptUri}"></script>
</body>
</html>`;
}

/** The Agent view's HTML. */
export function agentViewHtml(opts: Omit<WebviewPage, 'title' | 'root'>): string {
  return webviewHtml({ ...opts, title: 'OEL Agent', root: { tag: 'div', testId: 'agent-view' } });
}
