import './zod-config';
import './main.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import type { ProfileReport } from '../src/core/report';
import { TOKENIZERS, type TokenizerName } from '../src/core/tokenizer-names';
import { parseMessage, toViewSchema, type ProgressMessage, type RunResult, type ToView, type ViewInput } from '../src/protocol';
import { backendSummary, buildCard, memoryScale } from './cards';
import { el } from './dom';
import type { Heatmap } from './heatmap';
import { connectHost, type Host } from './host';
import { buildSummary } from './summary';
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

/**
 * The Attention comparison view: input (text or ids, tokenizer, token count, Run / Cancel /
 * Use selection, a progress bar naming the variant being run), a summary strip, and one card per
 * variant. Everything it shows comes from validated host messages; it keeps the input in the
 * webview state, and the host re-sends the rest when a hidden view is shown again.
 */
class App {
  private theme: Theme = readTheme();
  private input: ViewInput;
  private running: { runId: number; label: string } | null = null;
  private heatmaps: Heatmap[] = [];
  private readonly textarea: ValueElement;
  private readonly tokenizer: ValueElement;
  private readonly tokenCount: HTMLElement;
  private readonly runButton: ButtonElement;
  private readonly cancelButton: ButtonElement;
  private readonly progress: ProgressBarElement;
  private readonly progressLabel: HTMLElement;
  private readonly message: HTMLElement;
  private readonly backendLine: HTMLElement;
  private readonly results: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    const saved = host.getState() as { input?: ViewInput } | undefined;
    this.input = saved?.input ?? { text: '', tokenizer: 'o200k_base' };

    const inputSection = el('section', 'input');
    inputSection.setAttribute('aria-label', 'Input');
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

    this.runButton = this.button('Run', 'Profile every variant on this input (Ctrl+Enter)', () => this.run());
    this.cancelButton = this.button('Cancel', 'Stop the run', () => this.host.post({ type: 'cancel' }), true);
    this.cancelButton.disabled = true;
    const selection = this.button('Use selection', 'Copy the editor selection here', () => this.host.post({ type: 'useSelection' }), true);
    const buttons = el('div', 'row buttons');
    buttons.append(this.runButton, this.cancelButton, selection);

    this.progress = document.createElement('vscode-progress-bar') as ProgressBarElement;
    this.progress.setAttribute('aria-label', 'Run progress');
    this.progress.hidden = true;
    this.progressLabel = el('p', 'progress-label', '');
    this.progressLabel.setAttribute('aria-live', 'polite');
    this.message = el('p', 'message', '');
    this.message.setAttribute('role', 'status');
    inputSection.append(label, this.textarea, options, buttons, this.progress, this.progressLabel, this.message);

    this.backendLine = el('p', 'backend-line', '');
    this.results = el('div', 'results');
    this.root.append(inputSection, this.backendLine, this.results);

    onThemeChange(() => {
      this.theme = readTheme();
      for (const h of this.heatmaps) h.setTheme(this.theme);
    });
    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data));
    this.host.post({ type: 'ready' });
  }

  private button(text: string, title: string, onClick: () => void, secondary = false): ButtonElement {
    const b = document.createElement('vscode-button') as ButtonElement;
    b.textContent = text;
    b.title = title;
    if (secondary) b.setAttribute('secondary', '');
    b.addEventListener('click', onClick);
    return b;
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
        this.setRunning(m.running);
        if (m.last) this.showResult(m.last);
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
      case 'result':
        this.showResult(m.result);
        return;
      case 'runEnded':
        this.setRunning(null);
        this.showMessage(m.outcome === 'done' || m.outcome === 'cancelled' ? 'info' : 'error', m.message);
        return;
      case 'inputError':
        this.showMessage('error', m.message);
        return;
      case 'tokenCount':
        if (m.text !== this.input.text || m.tokenizer !== this.input.tokenizer) return;
        this.tokenCount.textContent = m.error ? m.error : `${m.count} tokens`;
        this.tokenCount.classList.toggle('error', Boolean(m.error));
        return;
    }
  }

  private setInput(input: ViewInput): void {
    this.input = input;
    this.textarea.value = input.text;
    this.tokenizer.value = input.tokenizer;
    this.host.setState({ input });
  }

  private setRunning(running: { runId: number; label: string } | null): void {
    this.running = running;
    this.cancelButton.disabled = running === null;
    this.progress.hidden = running === null;
    if (running) {
      this.progress.indeterminate = true;
      this.progressLabel.textContent = running.label;
    } else {
      this.progressLabel.textContent = '';
    }
  }

  private showProgress(e: ProgressMessage): void {
    if (!this.running) return;
    if (e.kind === 'start') {
      this.progressLabel.textContent = `${e.n} tokens on ${e.backend}`;
      return;
    }
    const done = e.index + (e.phase === 'done' ? 1 : e.phase === 'timing' ? 0.7 : e.phase === 'checked' ? 0.4 : 0.1);
    this.progress.indeterminate = false;
    this.progress.max = 100;
    this.progress.value = (100 * done) / e.total;
    const phase = e.phase === 'timing' ? `timing run ${e.run ?? ''}` : e.phase === 'compiling' ? 'compiling and checking' : e.phase;
    this.progressLabel.textContent = `${e.index + 1}/${e.total} ${e.id}: ${phase}`;
  }

  private showMessage(kind: 'info' | 'error', text: string): void {
    this.message.textContent = text;
    this.message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.message.classList.toggle('error', kind === 'error');
  }

  private showResult(result: RunResult): void {
    const report: ProfileReport = result.report;
    this.heatmaps = [];
    this.backendLine.textContent = `${report.input.n} tokens, d = ${report.input.d}, ${report.input.causal ? 'causal' : 'bidirectional'}, seed ${report.input.seed}. ${backendSummary(report)}`;
    const grid = el('div', 'cards');
    const scale = memoryScale(report.variants);
    const maps = new Map(result.maps.map((m) => [m.id, m]));
    const hover = (query: number | null) => {
      for (const h of this.heatmaps) h.highlightQuery(query);
    };
    for (const v of report.variants) {
      const { element, heatmap } = buildCard(v, maps.get(v.id), report, this.theme, scale, hover);
      if (heatmap) this.heatmaps.push(heatmap);
      grid.append(element);
    }
    this.results.replaceChildren(buildSummary(report), grid);
  }
}

new App(document.getElementById('app') as HTMLElement, connectHost());
