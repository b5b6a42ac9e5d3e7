import './zod-config';
import './main.css';
import type { EventHandlers } from '../src/protocol/channel';
import type { ViewInput, ViewSide } from '../src/protocol/view';
import { omittedLine } from '../src/model/content';
import { button } from './button';
import { el } from './dom';
import { connectHost, type Host } from './host';
import { InputPanel } from './input-panel';
import { GpuLane } from './lane';
import { ResultsPanel } from './results';
import { EMPTY_INPUT, modeOf, persisted, restoredInput, type Running } from './state';
import { onThemeChange, readTheme } from './theme';

/**
 * The Attention comparison view, and the same app for a saved run's editor and for comparing two
 * saved runs. This file wires the parts together and dispatches what the host sends: the input
 * panel (live view only), the results, and the message line. Everything shown comes from
 * validated host messages; the input is kept in the webview state, and the host re-sends the rest
 * when a hidden view is shown again.
 */
const root = document.getElementById('app');
if (!root) throw new Error('the view page has no #app element');
const mode = modeOf(document.body);
let theme = readTheme();
let input: ViewInput = EMPTY_INPUT;

const message = el('p', 'message', '');
message.setAttribute('role', 'status');
// The live view's errors offer the extension's log (probes, timings, the error with its stack).
const showLog = button('Show log', 'Open the Attention Profiler log (Output panel): backend probes, timings and errors', () => host.endpoint.emit('showLog', {}), true);
showLog.className = 'show-log';
showLog.hidden = true;
const messageArea = el('div', 'message-area');
messageArea.append(message, showLog);

function showMessage(kind: 'info' | 'error', text: string): void {
  message.textContent = text;
  message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  message.classList.toggle('error', kind === 'error');
  showLog.hidden = mode !== 'live' || kind !== 'error' || text === '';
}

function remember(next: ViewInput): void {
  input = next;
  host.setState(persisted(input));
}

const results = new ResultsPanel(mode, { emit: (name, payload) => host.endpoint.emit(name, payload) }, showMessage);

const panel =
  mode === 'live'
    ? new InputPanel(EMPTY_INPUT, messageArea, {
        run: (next) => {
          remember(next);
          if (next.text.trim() === '') {
            showMessage('error', 'Nothing to profile: paste text or "ids: 1, 2, 3" above, or select text in an editor.');
            return;
          }
          host.endpoint.emit('run', { input: next });
        },
        sweep: (next, lengths) => {
          remember(next);
          host.endpoint.emit('sweep', { input: next, lengths });
        },
        cancel: () => host.endpoint.emit('cancel', {}),
        useSelection: () => host.endpoint.emit('useSelection', {}),
        inputChanged: (next) => {
          remember(next);
          host.endpoint.emit('inputChanged', { input: next });
        },
      })
    : undefined;

function setInput(next: ViewInput): void {
  remember(next);
  panel?.setInput(next);
}

function setRunning(running: Running | null): void {
  panel?.setRunning(running);
}

const dispatch: EventHandlers<ViewSide> = {
  state: (m) => {
    // The input the user was editing wins over the host's, unless the host has one and the view does not.
    if (m.input.text !== '' || input.text === '') setInput(m.input);
    else host.endpoint.emit('inputChanged', { input });
    panel?.setLengths(m.sweepLengths);
    setRunning(m.running);
    if (m.lastSweep) results.showSweep(m.lastSweep);
    if (m.last) results.showRun(m.last, theme);
    if (m.message) showMessage(m.message.kind, m.message.text);
  },
  setInput,
  runStarted: (m) => {
    setRunning(m);
    showMessage('info', '');
  },
  progress: (m) => panel?.showProgress(m.event),
  sweepProgress: (m) => panel?.showSweepProgress(m.event),
  result: (m) => results.showRun(m.report, theme),
  sweepResult: (m) => results.showSweep(m.sweep),
  runEnded: (m) => {
    setRunning(null);
    showMessage(m.outcome === 'done' || m.outcome === 'cancelled' ? 'info' : 'error', m.message);
  },
  inputError: (m) => showMessage('error', m.message),
  notice: (m) => showMessage(m.kind, m.text),
  tokenCount: (m) => {
    if (m.text !== input.text || m.tokenizer !== input.tokenizer) return;
    panel?.showTokenCount(m.error ?? `${m.count ?? 0} tokens`, Boolean(m.error));
  },
  showSaved: ({ name, content }) => {
    // In place: the file changed, or the page shows it for the first time.
    const compare = button('Compare with another saved run...', 'Pick a second saved run and compare them side by side', () => host.endpoint.emit('compare', {}), true);
    const header = el('div', 'row saved-header');
    header.append(el('h2', undefined, `Saved ${content.kind}: ${name}`), compare);
    for (const old of root.querySelectorAll('.saved-header')) old.remove();
    root.prepend(header);
    results.showSaved(content, theme);
    const omitted = content.kind === 'run' ? (content.omitted ?? []) : [];
    showMessage(omitted.length > 0 ? 'error' : 'info', omittedLine(omitted));
  },
  showComparison: ({ a, b }) => results.showComparison(a, b),
};

// The live view runs the GPU lane: the host's probe, profile and sweep calls go to its worker.
const laneUrl = document.body.dataset.lane;
const host: Host = connectHost(laneUrl ? new GpuLane(laneUrl).handlers() : {}, dispatch, (reason) => showMessage('error', `Ignored ${reason} from the extension.`));
input = restoredInput(host.getState()) ?? EMPTY_INPUT;
panel?.setInput(input);
root.append(...(panel ? [panel.element] : [message]), results.sweepArea, results.runArea);
onThemeChange(() => {
  theme = readTheme();
  results.setTheme(theme);
});
host.endpoint.emit('ready', {});
