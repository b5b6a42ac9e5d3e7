import type { ReportContent } from '../model/content';
import { parseSaved } from '../model/exports';
import { formatBytes } from '../model/format';

/** Files at least this big say "Loading..." again when they change (every file says it when it opens). */
export const ANNOUNCE_BYTES = 1_000_000;

/** What the saved-run editor's page is told: the pure side of src/extension/saved-runs.ts, testable without VS Code. */
export interface SavedRunPage {
  notice(kind: 'info' | 'error', text: string): void;
  show(name: string, content: ReportContent): void;
  /** Loads the page afresh, so that it shows nothing; it says `ready` again when it has loaded. */
  reload(): void;
  /** Resolves once what was posted has had time to reach the page (the parse that follows blocks the host). */
  flush(): Promise<void>;
}

export function loadingText(name: string, size: number): string {
  return `Loading ${name} (${formatBytes(size)})...`;
}

/**
 * One saved run's editor: shows the file when its page is ready and again, in place, when the
 * file changes. A large file says "Loading NAME (size)..." before it is parsed. A file that cannot
 * be read shows its error alone: when the page showed the file before, it is loaded afresh (its
 * cards go) and the error follows when it is ready. Only the latest text is shown.
 */
export class SavedRunSession {
  private showing: 'nothing' | 'content' = 'nothing';
  private generation = 0;

  constructor(
    private readonly name: string,
    private readonly page: SavedRunPage,
  ) {}

  /** The page has (re)loaded: it shows nothing yet. */
  ready(text: string): Promise<void> {
    this.showing = 'nothing';
    return this.update(text, true);
  }

  /** The document changed. */
  changed(text: string): Promise<void> {
    return this.update(text, text.length >= ANNOUNCE_BYTES);
  }

  private async update(text: string, announce: boolean): Promise<void> {
    const generation = ++this.generation;
    if (announce) {
      // JSON files are ASCII but for the tokens' text: characters are close to bytes.
      this.page.notice('info', loadingText(this.name, text.length));
      await this.page.flush();
      if (generation !== this.generation) return;
    }
    const parsed = parseSaved(text);
    if (generation !== this.generation) return;
    if (parsed.ok) {
      this.page.show(this.name, parsed.content);
      this.showing = 'content';
    } else if (this.showing === 'content') {
      this.showing = 'nothing';
      this.page.reload();
    } else {
      this.page.notice('error', `${this.name}: ${parsed.error}`);
    }
  }
}
