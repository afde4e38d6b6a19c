// A panel's elements, looked up once by selector: `'input#steps'` is the <input> with id "steps"
// (typed and checked as such), `'#status'` any element with that id.

/** The element type a selector names: `'canvas#x'` → HTMLCanvasElement; no tag → HTMLElement. */
type ElementOf<S extends string> = S extends `${infer Tag}#${string}` ? (Tag extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[Tag] : HTMLElement) : HTMLElement;

/** Looks up every selector of `spec` in the page; throws naming the selector when one finds nothing. */
export function elements<const S extends Record<string, string>>(spec: S): { [K in keyof S]: ElementOf<S[K]> } {
  const found: Record<string, HTMLElement> = {};
  for (const [key, selector] of Object.entries(spec)) {
    const el = document.querySelector<HTMLElement>(selector);
    if (!el) throw new Error(`the page has no element ${selector}`);
    found[key] = el;
  }
  return found as { [K in keyof S]: ElementOf<S[K]> };
}
