import type { VariantMap } from '../src/model/maps';
import { describeToken } from './format';
import type { Theme } from './theme';

export interface CellInfo {
  row: number;
  col: number;
  query: number;
  keyFrom: number;
  keyTo: number;
  value: number;
}

/**
 * One variant's map on a canvas: mask (fraction allowed) or effective weights, coloured from the
 * theme's background to its accent (weights on a square-root scale so that small weights show).
 * A second canvas on top draws the highlighted query row and the keyboard cursor, so hovering
 * never redraws the map. Arrow keys move the cursor; the tooltip says which tokens a cell covers.
 */
export class Heatmap {
  readonly element: HTMLElement;
  private readonly base: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly tooltip: HTMLElement;
  private cursor: { row: number; col: number } | null = null;
  private highlightedRow: number | null = null;
  private readonly maxValue: number;

  constructor(
    private readonly map: VariantMap,
    private readonly tokens: ReadonlyArray<{ text: string }> | undefined,
    private theme: Theme,
    label: string,
    private readonly onHoverQuery: (query: number | null) => void,
  ) {
    this.maxValue = map.values.reduce((m, v) => Math.max(m, v), 0);
    this.element = document.createElement('div');
    this.element.className = 'map-wrap';
    this.base = document.createElement('canvas');
    this.base.className = 'map-base';
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'map-overlay';
    for (const c of [this.base, this.overlay]) {
      c.width = map.cols;
      c.height = map.rows;
    }
    this.overlay.tabIndex = 0;
    this.overlay.setAttribute('role', 'img');
    this.overlay.setAttribute(
      'aria-label',
      `${label}: ${map.kind === 'mask' ? 'mask' : 'effective weights'}, ${map.sourceRows} queries by ${map.sourceCols} keys${map.rows < map.sourceRows || map.cols < map.sourceCols ? `, shown as ${map.rows} by ${map.cols}` : ''}. Arrow keys move a cursor over the cells.`,
    );
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'tooltip';
    this.tooltip.hidden = true;
    this.tooltip.setAttribute('role', 'status');
    this.element.append(this.base, this.overlay, this.tooltip);
    this.overlay.addEventListener('mousemove', (e) => this.hoverAt(e));
    this.overlay.addEventListener('mouseleave', () => this.leave());
    this.overlay.addEventListener('keydown', (e) => this.onKey(e));
    this.overlay.addEventListener('blur', () => this.leave());
    this.draw();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.draw();
    this.drawOverlay();
  }

  /** Highlights the display row showing `query` (all cards share the same sampled rows). */
  highlightQuery(query: number | null): void {
    const row = query === null ? -1 : this.map.rowQuery.indexOf(query);
    this.highlightedRow = row >= 0 ? row : null;
    this.drawOverlay();
  }

  cellAt(row: number, col: number): CellInfo {
    const { map } = this;
    const keyFrom = Math.ceil((col * map.sourceCols) / map.cols);
    const keyTo = Math.max(keyFrom + 1, Math.ceil(((col + 1) * map.sourceCols) / map.cols));
    return { row, col, query: map.rowQuery[row] ?? row, keyFrom, keyTo, value: map.values[row * map.cols + col] ?? 0 };
  }

  describe(cell: CellInfo): string {
    const query = `query ${describeToken(this.tokens, cell.query)}`;
    const keys = cell.keyTo - cell.keyFrom === 1 ? `key ${describeToken(this.tokens, cell.keyFrom)}` : `keys #${cell.keyFrom}\u2013#${cell.keyTo - 1}`;
    const value =
      this.map.kind === 'mask'
        ? cell.keyTo - cell.keyFrom === 1
          ? cell.value > 0
            ? 'allowed'
            : 'masked'
          : `${(cell.value * 100).toFixed(0)}% allowed`
        : `weight ${cell.value.toPrecision(3)}${cell.keyTo - cell.keyFrom > 1 ? ' (sum)' : ''}`;
    return `${query} \u2192 ${keys}: ${value}`;
  }

  private draw(): void {
    const ctx = this.base.getContext('2d');
    if (!ctx) return;
    const { rows, cols, values, kind } = this.map;
    const image = ctx.createImageData(cols, rows);
    const [br, bg, bb] = this.theme.backgroundRgb;
    const [ar, ag, ab] = this.theme.accentRgb;
    const scale = this.maxValue > 0 ? 1 / this.maxValue : 0;
    for (let i = 0; i < rows * cols; i++) {
      const v = (values[i] ?? 0) * scale;
      const t = kind === 'weights' ? Math.sqrt(v) : v;
      image.data[i * 4] = br + (ar - br) * t;
      image.data[i * 4 + 1] = bg + (ag - bg) * t;
      image.data[i * 4 + 2] = bb + (ab - bb) * t;
      image.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  private drawOverlay(): void {
    const ctx = this.overlay.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    const thickness = Math.max(1, Math.round(this.map.rows / 128));
    if (this.highlightedRow !== null) {
      ctx.globalAlpha = 0.45;
      ctx.fillStyle = this.theme.highlight;
      ctx.fillRect(0, this.highlightedRow - Math.floor(thickness / 2), this.map.cols, thickness);
      ctx.globalAlpha = 1;
    }
    if (this.cursor) {
      ctx.strokeStyle = this.theme.highlight;
      ctx.lineWidth = thickness;
      ctx.strokeRect(this.cursor.col - thickness, this.cursor.row - thickness, 1 + 2 * thickness, 1 + 2 * thickness);
    }
  }

  private hoverAt(e: MouseEvent): void {
    const rect = this.overlay.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return;
    const col = Math.min(this.map.cols - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * this.map.cols)));
    const row = Math.min(this.map.rows - 1, Math.max(0, Math.floor(((e.clientY - rect.top) / rect.height) * this.map.rows)));
    this.show(row, col, e.clientX - rect.left, e.clientY - rect.top);
  }

  private show(row: number, col: number, x: number, y: number): void {
    const cell = this.cellAt(row, col);
    this.tooltip.textContent = this.describe(cell);
    this.tooltip.hidden = false;
    const width = this.overlay.clientWidth;
    this.tooltip.style.setProperty('left', `${Math.min(Math.max(0, x + 8), Math.max(0, width - 180))}px`);
    this.tooltip.style.setProperty('top', `${y + 12}px`);
    this.onHoverQuery(cell.query);
  }

  private leave(): void {
    this.tooltip.hidden = true;
    this.cursor = null;
    this.onHoverQuery(null);
  }

  private onKey(e: KeyboardEvent): void {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (e.key === 'Escape') {
      this.leave();
      return;
    }
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    const step = e.shiftKey ? 8 : 1;
    const cur = this.cursor ?? { row: 0, col: 0 };
    this.cursor = {
      row: Math.min(this.map.rows - 1, Math.max(0, cur.row + (this.cursor ? move[0] * step : 0))),
      col: Math.min(this.map.cols - 1, Math.max(0, cur.col + (this.cursor ? move[1] * step : 0))),
    };
    const width = this.overlay.clientWidth;
    const height = this.overlay.clientHeight;
    this.show(this.cursor.row, this.cursor.col, ((this.cursor.col + 0.5) / this.map.cols) * width, ((this.cursor.row + 0.5) / this.map.rows) * height);
    this.drawOverlay();
  }
}
