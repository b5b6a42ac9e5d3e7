/** Tiny DOM helpers: elements with a class and text; no innerHTML anywhere (no injection). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A bar whose length is set through the CSSOM (inline style attributes are refused by the CSP). */
export function bar(className: string, fraction: number, label: string): HTMLElement {
  const b = el('span', `bar ${className}`);
  b.style.setProperty('width', `${(Math.max(0, Math.min(1, fraction)) * 100).toFixed(2)}%`);
  b.setAttribute('aria-hidden', 'true');
  b.title = label;
  return b;
}
