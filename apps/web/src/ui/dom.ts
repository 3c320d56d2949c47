// A few DOM helpers: elements with attributes and children, and a cell carrying its raw value
// (data-value) next to the text a person reads, for tests to read back.

type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

export function byTestId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!e) throw new Error(`page: no element with data-testid="${id}"`);
  return e;
}

/** Sets an element's text and its data-value (the number a test reads). */
export function showValue(e: HTMLElement, value: number | string, text: string): void {
  e.dataset['value'] = String(value);
  e.textContent = text;
}

export const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;
