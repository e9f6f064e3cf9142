import { type HTMLElement, parse } from 'node-html-parser';

/** Parses a page for assertions; <pre> keeps its elements (node-html-parser makes it text by default). */
export function parseHtml(html: string): HTMLElement {
  return parse(html, { blockTextElements: { script: true, noscript: true, style: true } });
}
