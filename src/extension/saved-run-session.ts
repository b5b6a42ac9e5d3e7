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

/** The saved file: its size (without reading it) and its text. */
export interface SavedRunFile {
  size(): Promise<number>;
  read(): Promise<string>;
}

export function loadingText(name: string, size: number): string {
  return `Loading ${name} (${formatBytes(size)})...`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One saved run's editor: shows the file when its page is ready and again, in place, when the
 * file changes. "Loading NAME (size)..." goes to the page before the file is read and parsed
 * (always when the page opens, and on a change when the file is large). A file that cannot be
 * read shows its error alone: when the page showed the file before, it is loaded afresh (its cards
 * go) and the error follows when it is ready. Only the latest version of the file is shown.
 */
export class SavedRunSession {
  private showing: 'nothing' | 'content' = 'nothing';
  private generation = 0;

  constructor(
    private readonly name: string,
    private readonly file: SavedRunFile,
    private readonly page: SavedRunPage,
  ) {}

  /** The page has (re)loaded: it shows nothing yet. */
  ready(): Promise<void> {
    this.showing = 'nothing';
    return this.update(true);
  }

  /** The file changed on disk (or was deleted, or created again). */
  changed(): Promise<void> {
    return this.update(false);
  }

  private async update(opening: boolean): Promise<void> {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const size = await this.file.size().catch(() => undefined);
    if (!current()) return;
    if (size !== undefined && (opening || size >= ANNOUNCE_BYTES)) {
      this.page.notice('info', loadingText(this.name, size));
      await this.page.flush();
      if (!current()) return;
    }
    let parsed: ReturnType<typeof parseSaved>;
    try {
      const text = await this.file.read();
      if (!current()) return;
      parsed = parseSaved(text);
    } catch (err) {
      if (!current()) return;
      parsed = { ok: false, error: `the file cannot be read (${message(err)})` };
    }
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
