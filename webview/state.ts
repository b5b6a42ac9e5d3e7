import { z } from 'zod';
import type { ViewInput } from '../src/protocol/view';
import { viewInputSchema } from '../src/protocol/view';

/** What the view keeps across being hidden (VS Code's webview state): the input being edited. */
const persistedSchema = z.object({ input: viewInputSchema });

export const EMPTY_INPUT: ViewInput = { text: '', tokenizer: 'o200k_base' };

/** The input saved in the webview state, if it is one (a state from an older version is ignored). */
export function restoredInput(saved: unknown): ViewInput | undefined {
  const parsed = persistedSchema.safeParse(saved);
  return parsed.success ? parsed.data.input : undefined;
}

export function persisted(input: ViewInput): z.infer<typeof persistedSchema> {
  return { input };
}

/** The run or sweep going on, as the host announced it. */
export interface Running {
  id: number;
  label: string;
}

export type Mode = 'live' | 'saved' | 'comparison';

export function modeOf(body: HTMLElement): Mode {
  const mode = body.dataset.mode;
  return mode === 'saved' || mode === 'comparison' ? mode : 'live';
}
