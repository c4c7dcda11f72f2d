/**
 * The Learning view's chart colours, read from the VS Code theme's CSS variables (the `charts.*` theme colours exist
 * for exactly this), so the charts follow light, dark and high-contrast themes and change with them.
 */

/** Colours and font the charts draw with. */
export interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  font: string;
  /** Behind the cards: marker labels sit on it so lines and bars do not run through them. */
  background: string;
  blue: string;
  green: string;
  red: string;
  yellow: string;
  orange: string;
  purple: string;
}

/** Reads the current theme from the body's computed style. */
export function readTheme(): Theme {
  const cs = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  // Some themes give a chart colour an alpha (Light Modern's orange is half transparent): a pale bar or line is hard
  // to see on the card, so series colours are made opaque. Grid lines keep theirs.
  const solid = (color: string) => color
    .replace(/^(#[0-9a-f]{6})[0-9a-f]{2}$/i, '$1')
    .replace(/^rgba\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*[\d.]+\s*\)$/i, 'rgb($1, $2, $3)');
  const foreground = v('--vscode-charts-foreground', v('--vscode-foreground', '#888888'));
  return {
    foreground,
    muted: v('--vscode-descriptionForeground', foreground),
    grid: v('--vscode-charts-lines', 'rgba(128, 128, 128, 0.35)'),
    font: v('--vscode-font-family', 'sans-serif'),
    background: v('--vscode-editorWidget-background', v('--vscode-sideBar-background', '#ffffff')),
    blue: solid(v('--vscode-charts-blue', '#3794ff')),
    green: solid(v('--vscode-charts-green', '#89d185')),
    red: solid(v('--vscode-charts-red', '#f14c4c')),
    yellow: solid(v('--vscode-charts-yellow', '#cca700')),
    orange: solid(v('--vscode-charts-orange', '#d18616')),
    purple: solid(v('--vscode-charts-purple', '#b180d7')),
  };
}

/** Calls `onChange` when VS Code switches theme (it changes the body's class and the CSS variables). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
}
