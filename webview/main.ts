import './zod-config';
import './main.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { mapsOfReport } from '../src/core/report-maps';
import type { SweepReport } from '../src/core/report';
import { TOKENIZERS, type TokenizerName } from '../src/core/tokenizer-names';
import { parseMessage, toViewSchema, type ProgressMessage, type RunResult, type SavedContent, type SweepProgressMessage, type ToView, type ViewInput } from '../src/protocol';
import type { SweepCharts } from './charts';
import { renderComparison } from './compare';
import { el } from './dom';
import type { Heatmap } from './heatmap';
import { connectHost, type Host } from './host';
import { renderRun, renderSweep } from './render';
import { onThemeChange, readTheme, type Theme } from './theme';

interface ValueElement extends HTMLElement {
  value: string;
}
interface ButtonElement extends HTMLElement {
  disabled: boolean;
}
interface ProgressBarElement extends HTMLElement {
  value: number | undefined;
  max: number;
  indeterminate: boolean;
}

type Mode = 'live' | 'saved' | 'comparison';

/**
 * The Attention comparison view, and the same app for a saved run's editor and for comparing two
 * saved runs. Live: input (text or ids, tokenizer, token count), Run / Sweep / Cancel / Use
 * selection, a progress bar naming the variant being run, then the run (summary strip, one card
 * per variant) and the sweep (charts, slopes, crossovers), each with its exports. Everything it
 * shows comes from validated host messages; it keeps its input in the webview state, and the host
 * re-sends the rest when a hidden view is shown again.
 */
class App {
  private readonly mode: Mode;
  private theme: Theme = readTheme();
  private input: ViewInput;
  private running: { runId: number; label: string } | null = null;
  private heatmaps: Heatmap[] = [];
  private charts: SweepCharts | undefined;
  private textarea!: ValueElement;
  private tokenizer!: ValueElement;
  private lengths!: ValueElement;
  private tokenCount!: HTMLElement;
  private cancelButton!: ButtonElement;
  private progress!: ProgressBarElement;
  private progressLabel!: HTMLElement;
  private readonly message: HTMLElement;
  private readonly runArea: HTMLElement;
  private readonly sweepArea: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    this.mode = (['saved', 'comparison'].includes(document.body.dataset.mode ?? '') ? document.body.dataset.mode : 'live') as Mode;
    const saved = host.getState() as { input?: ViewInput } | undefined;
    this.input = saved?.input ?? { text: '', tokenizer: 'o200k_base' };
    this.message = el('p', 'message', '');
    this.message.setAttribute('role', 'status');
    this.runArea = el('div', 'run-area');
    this.sweepArea = el('div', 'sweep-area');
    if (this.mode === 'live') this.root.append(this.buildInput());
    else this.root.append(this.message);
    this.root.append(this.sweepArea, this.runArea);

    onThemeChange(() => {
      this.theme = readTheme();
      for (const h of this.heatmaps) h.setTheme(this.theme);
    });
    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data));
    this.host.post({ type: 'ready' });
  }

  private buildInput(): HTMLElement {
    const section = el('section', 'input');
    section.setAttribute('aria-label', 'Input');
    const label = el('label', 'input-label', 'Text, or token ids as "ids: 1, 2, 3"');
    label.htmlFor = 'input-text';
    this.textarea = document.createElement('vscode-textarea') as ValueElement;
    this.textarea.id = 'input-text';
    this.textarea.setAttribute('rows', '5');
    this.textarea.setAttribute('placeholder', 'Paste text or token ids here, or select text in an editor and run "Profile attention"');
    this.textarea.setAttribute('aria-label', 'Text or token ids to profile');
    this.textarea.value = this.input.text;
    this.textarea.addEventListener('input', () => this.inputChanged());
    this.textarea.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.run();
    });

    this.tokenizer = document.createElement('vscode-single-select') as ValueElement;
    this.tokenizer.setAttribute('aria-label', 'Tokenizer');
    for (const name of TOKENIZERS) {
      const option = document.createElement('vscode-option') as ValueElement;
      option.textContent = name;
      option.setAttribute('value', name);
      this.tokenizer.append(option);
    }
    this.tokenizer.value = this.input.tokenizer;
    this.tokenizer.addEventListener('change', () => this.inputChanged());
    this.tokenCount = el('span', 'token-count', '');
    this.tokenCount.setAttribute('aria-live', 'polite');
    const options = el('div', 'row');
    options.append(this.tokenizer, this.tokenCount);

    const run = this.button('Run', 'Profile every variant on this input (Ctrl+Enter)', () => this.run());
    this.cancelButton = this.button('Cancel', 'Stop the run or sweep', () => this.host.post({ type: 'cancel' }), true);
    this.cancelButton.disabled = true;
    const selection = this.button('Use selection', 'Copy the editor selection here', () => this.host.post({ type: 'useSelection' }), true);
    const buttons = el('div', 'row buttons');
    buttons.append(run, this.cancelButton, selection);

    this.lengths = document.createElement('vscode-textfield') as ValueElement;
    this.lengths.setAttribute('aria-label', 'Sweep lengths N, separated by commas');
    this.lengths.className = 'lengths';
    const sweep = this.button('Sweep', 'Time and memory against N for every variant (the input is cycled to each length; synthetic ids when empty)', () => this.sweep(), true);
    const sweepRow = el('div', 'row');
    sweepRow.append(el('span', 'sub', 'Sweep N ='), this.lengths, sweep);

    this.progress = document.createElement('vscode-progress-bar') as ProgressBarElement;
    this.progress.setAttribute('aria-label', 'Progress');
    this.progress.hidden = true;
    this.progressLabel = el('p', 'progress-label', '');
    this.progressLabel.setAttribute('aria-live', 'polite');
    section.append(label, this.textarea, options, buttons, sweepRow, this.progress, this.progressLabel, this.message);
    return section;
  }

  private button(text: string, title: string, onClick: () => void, secondary = false): ButtonElement {
    const b = document.createElement('vscode-button') as ButtonElement;
    b.textContent = text;
    b.title = title;
    if (secondary) b.setAttribute('secondary', '');
    b.addEventListener('click', onClick);
    return b;
  }

  /** Export buttons for the run or the sweep shown (live view only: the host has the results). */
  private exportBar(source: 'run' | 'sweep'): HTMLElement {
    const bar = el('div', 'row exports');
    bar.setAttribute('aria-label', `Export the ${source}`);
    bar.append(el('span', 'sub', source === 'run' ? 'Export run:' : 'Export sweep:'));
    for (const format of ['json', 'csv', 'html'] as const) {
      bar.append(this.button(format.toUpperCase(), `Save the ${source} as ${format.toUpperCase()}`, () => this.host.post({ type: 'export', format, source }), true));
    }
    bar.append(
      this.button('PNG', source === 'run' ? 'Save every map as PNG' : 'Save the charts as PNG', () => this.exportImages(source), true),
      this.button('Save run', `Save the ${source} as a *.attnprof.json file in the workspace`, () => this.host.post({ type: 'save', source }), true),
    );
    return bar;
  }

  private exportImages(source: 'run' | 'sweep'): void {
    const canvases =
      source === 'run'
        ? Array.from(this.runArea.querySelectorAll<HTMLElement>('article.card')).flatMap((card) => {
            const canvas = card.querySelector<HTMLCanvasElement>('canvas.map-base');
            return canvas ? [{ name: `${card.dataset.variant}-map`, canvas }] : [];
          })
        : (this.charts?.canvases() ?? []);
    if (canvases.length === 0) {
      this.showMessage('error', `There is no ${source} to export yet.`);
      return;
    }
    this.host.post({ type: 'exportImages', images: canvases.map((c) => ({ name: c.name, dataUrl: c.canvas.toDataURL('image/png') })) });
  }

  private currentInput(): ViewInput {
    const tokenizer = (TOKENIZERS as readonly string[]).includes(this.tokenizer.value) ? (this.tokenizer.value as TokenizerName) : 'o200k_base';
    return { text: this.textarea.value ?? '', tokenizer };
  }

  private inputChanged(): void {
    this.input = this.currentInput();
    this.host.setState({ input: this.input });
    this.tokenCount.textContent = '';
    this.host.post({ type: 'inputChanged', input: this.input });
  }

  private run(): void {
    this.input = this.currentInput();
    this.host.setState({ input: this.input });
    if (this.input.text.trim() === '') {
      this.showMessage('error', 'Nothing to profile: paste text or "ids: 1, 2, 3" above, or select text in an editor.');
      return;
    }
    this.host.post({ type: 'run', input: this.input });
  }

  private sweep(): void {
    this.input = this.currentInput();
    this.host.setState({ input: this.input });
    this.host.post({ type: 'sweep', input: this.input, lengths: this.lengths.value ?? '' });
  }

  private onMessage(raw: unknown): void {
    const parsed = parseMessage(toViewSchema, raw);
    if (!parsed.ok) {
      this.showMessage('error', `Ignored a malformed message from the extension (${parsed.error}).`);
      return;
    }
    this.handle(parsed.message);
  }

  private handle(m: ToView): void {
    switch (m.type) {
      case 'state':
        if (m.input.text !== '' || this.input.text === '') this.setInput(m.input);
        else this.host.post({ type: 'inputChanged', input: this.input });
        if (this.lengths) this.lengths.value = m.sweepLengths;
        this.setRunning(m.running);
        if (m.lastSweep) this.showSweep(m.lastSweep, true);
        if (m.last) this.showRun(m.last, true);
        if (m.message) this.showMessage(m.message.kind, m.message.text);
        return;
      case 'setInput':
        this.setInput(m.input);
        return;
      case 'runStarted':
        this.setRunning({ runId: m.runId, label: m.label });
        this.showMessage('info', '');
        return;
      case 'progress':
        this.showProgress(m.event);
        return;
      case 'sweepProgress':
        this.showSweepProgress(m.event);
        return;
      case 'result':
        this.showRun(m.result, true);
        return;
      case 'sweepResult':
        this.showSweep(m.sweep, true);
        return;
      case 'runEnded':
        this.setRunning(null);
        this.showMessage(m.outcome === 'done' || m.outcome === 'cancelled' ? 'info' : 'error', m.message);
        return;
      case 'inputError':
        this.showMessage('error', m.message);
        return;
      case 'notice':
        this.showMessage(m.kind, m.message);
        return;
      case 'tokenCount':
        if (m.text !== this.input.text || m.tokenizer !== this.input.tokenizer || !this.tokenCount) return;
        this.tokenCount.textContent = m.error ? m.error : `${m.count} tokens`;
        this.tokenCount.classList.toggle('error', Boolean(m.error));
        return;
      case 'showSaved':
        this.showSaved(m.name, m.content);
        return;
      case 'showComparison':
        this.runArea.replaceChildren(renderComparison(m.a, m.b));
        return;
    }
  }

  private setInput(input: ViewInput): void {
    this.input = input;
    if (this.textarea) {
      this.textarea.value = input.text;
      this.tokenizer.value = input.tokenizer;
    }
    this.host.setState({ input });
  }

  private setRunning(running: { runId: number; label: string } | null): void {
    this.running = running;
    if (!this.cancelButton) return;
    this.cancelButton.disabled = running === null;
    this.progress.hidden = running === null;
    if (running) {
      this.progress.indeterminate = true;
      this.progressLabel.textContent = running.label;
    } else {
      this.progressLabel.textContent = '';
    }
  }

  private setProgress(done: number, total: number, label: string): void {
    this.progress.indeterminate = false;
    this.progress.max = 100;
    this.progress.value = (100 * done) / total;
    this.progressLabel.textContent = label;
  }

  private showProgress(e: ProgressMessage): void {
    if (!this.running || !this.progress) return;
    if (e.kind === 'start') {
      this.progressLabel.textContent = `${e.n} tokens on ${e.backend}`;
      return;
    }
    const done = e.index + (e.phase === 'done' ? 1 : e.phase === 'timing' ? 0.7 : e.phase === 'checked' ? 0.4 : 0.1);
    const phase = e.phase === 'timing' ? `timing run ${e.run ?? ''}` : e.phase === 'compiling' ? 'compiling and checking' : e.phase;
    this.setProgress(done, e.total, `${e.index + 1}/${e.total} ${e.id}: ${phase}`);
  }

  private showSweepProgress(e: SweepProgressMessage): void {
    if (!this.running || !this.progress || e.kind !== 'point') return;
    const done = e.point + (e.phase === 'done' ? 1 : e.phase === 'timing' ? 0.7 : 0.2);
    this.setProgress(done, e.total, `sweep ${e.point + 1}/${e.total}: ${e.id} at N = ${e.n}${e.phase === 'timing' ? `, run ${e.run ?? ''}` : ''}`);
  }

  private showMessage(kind: 'info' | 'error', text: string): void {
    this.message.textContent = text;
    this.message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.message.classList.toggle('error', kind === 'error');
  }

  private showRun(result: RunResult, exports: boolean): void {
    const { element, heatmaps } = renderRun(result, this.theme);
    this.heatmaps = heatmaps;
    this.runArea.replaceChildren(...(exports && this.mode === 'live' ? [this.exportBar('run')] : []), element);
  }

  private showSweep(sweep: SweepReport, exports: boolean): void {
    this.charts?.destroy();
    const { element, charts } = renderSweep(sweep);
    this.charts = charts;
    this.sweepArea.replaceChildren(...(exports && this.mode === 'live' ? [this.exportBar('sweep')] : []), element);
    charts.mount();
  }

  private showSaved(name: string, content: SavedContent): void {
    const compare = this.button('Compare with another saved run...', 'Pick a second saved run and compare them side by side', () => this.host.post({ type: 'compare' }), true);
    const header = el('div', 'row saved-header');
    header.append(el('h2', undefined, `Saved ${content.schema === 'attention-profiler/report' ? 'run' : 'sweep'}: ${name}`), compare);
    this.root.prepend(header);
    if (content.schema === 'attention-profiler/report') this.showRun({ report: content, maps: mapsOfReport(content) as RunResult['maps'] }, false);
    else this.showSweep(content, false);
  }
}

new App(document.getElementById('app') as HTMLElement, connectHost());
