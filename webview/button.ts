import '@vscode-elements/elements/dist/vscode-button/index.js';

/** A VS Code button (@vscode-elements), secondary unless it is the main action. */
export function button(text: string, title: string, onClick: () => void, secondary = false): HTMLElementTagNameMap['vscode-button'] {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  b.title = title;
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}
