import type { OmittedPart } from '../src/model/report';
import { el } from './dom';

/** Says on each card what of its variant a saved file could not show (its map), and why. */
export function markOmitted(run: HTMLElement, omitted: readonly OmittedPart[]): void {
  for (const part of omitted) {
    if (part.part !== 'map' || part.variant === undefined) continue;
    const card = Array.from(run.querySelectorAll<HTMLElement>('article.card')).find((c) => c.dataset.variant === part.variant);
    if (!card) continue;
    const note = el('p', 'note map-omitted', `Map not shown: ${part.reason}`);
    note.setAttribute('role', 'note');
    card.querySelector('header')?.after(note);
  }
}
