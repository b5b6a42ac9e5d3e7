import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { ProgressEvent } from '../src/model/report';
import type { SweepProgress } from '../src/model/sweep';
import { isTokenizerName, TOKENIZERS } from '../src/model/tokenizers';
import type { ViewInput } from '../src/protocol/view';
import { button } from './button';
import { el } from './dom';
import type { Running } from './state';

/** What the user can ask from the input panel. */
export interface InputActions {
  run(input: ViewInput): void;
  sweep(input: ViewInput, lengths: string): void;
  cancel(): void;
  useSelection(): void;
  inputChanged(input: ViewInput): void;
}

/**
 * The live view's input: text or ids, tokenizer and token count, Run / Cancel / Use selection,
 * the sweep lengths and Sweep, and a progress bar naming the variant being run.
 */
export class InputPanel {
  readonly element: HTMLElement;
  private readonly textarea = document.createElement('vscode-textarea');
  private readonly tokenizer = document.createElement('vscode-single-select');
  private readonly lengths = document.createElement('vscode-textfield');
  private readonly tokenCount: HTMLElement;
  private readonly cancelButton: HTMLElementTagNameMap['vscode-button'];
  private readonly progress = document.createElement('vscode-progress-bar');
  private readonly progressLabel: HTMLElement;
  private running: Running | null = null;

  constructor(
    input: ViewInput,
    readonly message: HTMLElement,
    private readonly actions: InputActions,
  ) {
    this.element = el('section', 'input');
    this.element.setAttribute('aria-label', 'Input');
    const label = el('label', 'input-label', 'Text, or token ids as "ids: 1, 2, 3"');
    label.htmlFor = 'input-text';
    this.textarea.id = 'input-text';
    this.textarea.setAttribute('rows', '5');
    this.textarea.setAttribute('placeholder', 'Paste text or token ids here, or select text in an editor and run "Profile attention"');
    this.textarea.setAttribute('aria-label', 'Text or token ids to profile');
    this.textarea.value = input.text;
    this.textarea.addEventListener('input', () => this.changed());
    this.textarea.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.actions.run(this.current());
    });

    this.tokenizer.setAttribute('aria-label', 'Tokenizer');
    for (const name of TOKENIZERS) {
      const option = document.createElement('vscode-option');
      option.textContent = name;
      option.setAttribute('value', name);
      this.tokenizer.append(option);
    }
    this.tokenizer.value = input.tokenizer;
    this.tokenizer.addEventListener('change', () => this.changed());
    this.tokenCount = el('span', 'token-count', '');
    this.tokenCount.setAttribute('aria-live', 'polite');
    const options = el('div', 'row');
    options.append(this.tokenizer, this.tokenCount);

    const run = button('Run', 'Profile every variant on this input (Ctrl+Enter)', () => this.actions.run(this.current()));
    this.cancelButton = button('Cancel', 'Stop the run or sweep', () => this.actions.cancel(), true);
    this.cancelButton.disabled = true;
    const selection = button('Use selection', 'Copy the editor selection here', () => this.actions.useSelection(), true);
    const buttons = el('div', 'row buttons');
    buttons.append(run, this.cancelButton, selection);

    this.lengths.setAttribute('aria-label', 'Sweep lengths N, separated by commas');
    this.lengths.className = 'lengths';
    const sweep = button(
      'Sweep',
      'Time and memory against N for every variant (the input is cycled to each length; synthetic ids when empty)',
      () => this.actions.sweep(this.current(), this.lengths.value ?? ''),
      true,
    );
    const sweepRow = el('div', 'row');
    sweepRow.append(el('span', 'sub', 'Sweep N ='), this.lengths, sweep);

    this.progress.setAttribute('aria-label', 'Progress');
    this.progress.hidden = true;
    this.progressLabel = el('p', 'progress-label', '');
    this.progressLabel.setAttribute('aria-live', 'polite');
    this.element.append(label, this.textarea, options, buttons, sweepRow, this.progress, this.progressLabel, this.message);
  }

  /** The input as the user has it now. */
  current(): ViewInput {
    return { text: this.textarea.value ?? '', tokenizer: isTokenizerName(this.tokenizer.value) ? this.tokenizer.value : 'o200k_base' };
  }

  setInput(input: ViewInput): void {
    this.textarea.value = input.text;
    this.tokenizer.value = input.tokenizer;
  }

  setLengths(lengths: string): void {
    this.lengths.value = lengths;
  }

  showTokenCount(text: string, isError: boolean): void {
    this.tokenCount.textContent = text;
    this.tokenCount.classList.toggle('error', isError);
  }

  setRunning(running: Running | null): void {
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

  showProgress(e: ProgressEvent): void {
    if (!this.running) return;
    if (e.kind === 'start') {
      this.progressLabel.textContent = `${e.n} tokens on ${e.backend}`;
      return;
    }
    const done = e.index + (e.phase === 'done' ? 1 : e.phase === 'timing' ? 0.7 : e.phase === 'checked' ? 0.4 : 0.1);
    const phase = e.phase === 'timing' ? `timing run ${e.run ?? ''}` : e.phase === 'compiling' ? 'compiling and checking' : e.phase;
    this.setProgress(done, e.total, `${e.index + 1}/${e.total} ${e.id}: ${phase}`);
  }

  showSweepProgress(e: SweepProgress): void {
    if (!this.running || e.kind !== 'point') return;
    const done = e.point + (e.phase === 'done' ? 1 : e.phase === 'timing' ? 0.7 : 0.2);
    this.setProgress(done, e.total, `sweep ${e.point + 1}/${e.total}: ${e.id} at N = ${e.n}${e.phase === 'timing' ? `, run ${e.run ?? ''}` : ''}`);
  }

  private setProgress(done: number, total: number, label: string): void {
    this.progress.indeterminate = false;
    this.progress.max = 100;
    this.progress.value = (100 * done) / total;
    this.progressLabel.textContent = label;
  }

  private changed(): void {
    this.tokenCount.textContent = '';
    this.actions.inputChanged(this.current());
  }
}
