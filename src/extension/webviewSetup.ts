/** Loads one of the extension's webview pages into a webview view: its options, resource roots and HTML. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { webviewHtml, type WebviewPage } from './agentViewHtml';

/**
 * Sets the view's options (scripts on, command links off, resources only from dist/webview and media/) and its HTML:
 * the bundle `dist/webview/<script>`, the stylesheet `media/<style>`, the vendored codicons (media/codicons:
 * `vsce package --no-dependencies` leaves node_modules out of the VSIX) and a fresh script nonce.
 */
export function loadWebviewPage(view: vscode.WebviewView, extensionUri: vscode.Uri, page: { script: string; style: string } & Pick<WebviewPage, 'title' | 'root'>): void {
  const roots = [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
  view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: roots };
  const w = view.webview;
  w.html = webviewHtml({
    cspSource: w.cspSource,
    nonce: randomBytes(16).toString('base64'),
    scriptUri: w.asWebviewUri(vscode.Uri.joinPath(roots[0], page.script)).toString(),
    styleUri: w.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', page.style)).toString(),
    codiconUri: w.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'codicons', 'codicon.css')).toString(),
    title: page.title,
    root: page.root,
  });
}
