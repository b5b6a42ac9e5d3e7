/**
 * Colours from the VS Code theme (--vscode-* variables), as CSS strings for the DOM and as RGB
 * for the canvases. Re-read whenever the theme changes (VS Code swaps the body's classes).
 */
export interface Theme {
  background: string;
  foreground: string;
  muted: string;
  accent: string;
  highlight: string;
  error: string;
  baseline: string;
  backgroundRgb: [number, number, number];
  accentRgb: [number, number, number];
}

function variable(name: string, fallbackName?: string): string {
  const style = getComputedStyle(document.body);
  const value = style.getPropertyValue(name).trim();
  if (value || !fallbackName) return value;
  return style.getPropertyValue(fallbackName).trim();
}

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour to RGB, through a 1 x 1 canvas (the browser parses it). */
export function toRgb(color: string): [number, number, number] {
  probe ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!probe) return [128, 128, 128];
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = '#808080';
  probe.fillStyle = color;
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
  return [r ?? 128, g ?? 128, b ?? 128];
}

export function readTheme(): Theme {
  const background = variable('--vscode-sideBar-background', '--vscode-editor-background') || 'canvas';
  const accent = variable('--vscode-charts-blue', '--vscode-textLink-foreground') || 'highlight';
  return {
    background,
    foreground: variable('--vscode-foreground') || 'canvastext',
    muted: variable('--vscode-descriptionForeground') || 'graytext',
    accent,
    highlight: variable('--vscode-charts-orange', '--vscode-focusBorder') || 'orange',
    error: variable('--vscode-errorForeground') || 'red',
    baseline: variable('--vscode-charts-red', '--vscode-errorForeground') || 'red',
    backgroundRgb: toRgb(background),
    accentRgb: toRgb(accent),
  };
}

export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
}
