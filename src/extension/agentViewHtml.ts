/**
 * The Agent view's HTML document: one script and two style sheets from the extension, under a strict
 * Content-Security-Policy. Pure (no `vscode` import), so the policy is unit-tested; agentView.ts supplies the URIs.
 */

/**
 * The view's HTML. Its Content-Security-Policy allows nothing by default; scripts only with the per-load `nonce` (so
 * no inline script and nothing a rendered string could inject runs), styles, fonts and images only from the
 * webview's own resource origin (`cspSource`; images also as data: URIs).
 */
export function agentViewHtml(opts: { cspSource: string; nonce: string; scriptUri: string; styleUri: string; codiconUri: string }): string {
  const csp = [
    "default-src 'none'",
    `style-src ${opts.cspSource}`,
    `font-src ${opts.cspSource}`,
    `img-src ${opts.cspSource} data:`,
    `script-src 'nonce-${opts.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${opts.codiconUri}">
<link rel="stylesheet" href="${opts.styleUri}">
<title>OEL Agent</title>
</head>
<body>
<div id="app" data-testid="agent-view"></div>
<script nonce="${opts.nonce}" src="${opts.scriptUri}"></script>
</body>
</html>`;
}
