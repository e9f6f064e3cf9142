/**
 * The XML the forum writes for machines (Atom feeds, sitemaps, the OpenSearch description): a
 * few elements, every text and attribute escaped here, so nothing a person wrote can become
 * markup. Smaller than a generator library for the three documents it serves, and the tests
 * read what it writes with a real Atom parser and an XML validator.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Text for XML: markup characters escaped, and characters XML 1.0 cannot carry at all (C0
 * controls other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF) left out.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

export type XmlNode = string | XmlElement;
export type XmlElement = {
  name: string;
  attrs?: Record<string, string | undefined>;
  children?: XmlNode[];
};

/** An element; a string child is text (escaped). */
export const el = (
  name: string,
  attrs: Record<string, string | undefined> = {},
  ...children: XmlNode[]
): XmlElement => ({ name, attrs, children });

function write(node: XmlNode): string {
  if (typeof node === 'string') return escapeXml(node);
  const attrs = Object.entries(node.attrs ?? {})
    .filter((a): a is [string, string] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const children = node.children ?? [];
  if (children.length === 0) return `<${node.name}${attrs}/>`;
  return `<${node.name}${attrs}>${children.map(write).join('')}</${node.name}>`;
}

/** A whole document: the XML declaration, then the root element. */
export function xmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${write(root)}\n`;
}
