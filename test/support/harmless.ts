/**
 * What "harmless" means for HTML made from user text: no element that runs or loads anything,
 * no event handler or style attribute, and every address either on this site, on a house host,
 * a mailto:, or the outbound interstitial.
 */
import { parseDocument } from 'htmlparser2';

const FORBIDDEN_TAGS = new Set([
  'script',
  'iframe',
  'object',
  'embed',
  'form',
  'base',
  'meta',
  'link',
  'svg',
  'math',
  'style',
  'input',
  'button',
  'textarea',
  'select',
  'frame',
  'frameset',
  'applet',
  'template',
  'video',
  'audio',
  'source',
]);
const ALLOWED_ATTRS = new Set(['href', 'title', 'rel', 'start', 'class']);

type Node = { type: string; name?: string; attribs?: Record<string, string>; children?: Node[] };

function safeAddress(attr: string, value: string): boolean {
  if (attr === 'src') return value.startsWith('/') && !value.startsWith('//');
  if (value.startsWith('/out?url=')) return true;
  if (value.startsWith('/') && !value.startsWith('//')) return true;
  if (value.startsWith('#')) return true;
  if (/^mailto:/i.test(value)) return true;
  return /^https?:\/\/([a-z0-9-]+\.)*plimus\.com(\/|$)/i.test(value);
}

/** Every problem found in the HTML; empty when it is harmless. */
export function harmfulParts(html: string): string[] {
  const found: string[] = [];
  const walk = (n: Node) => {
    if (n.type === 'tag' || n.type === 'script' || n.type === 'style') {
      if (n.name && FORBIDDEN_TAGS.has(n.name)) found.push(`<${n.name}>`);
      for (const [k, v] of Object.entries(n.attribs ?? {})) {
        if (!ALLOWED_ATTRS.has(k)) found.push(`attribute ${k}`);
        if ((k === 'href' || k === 'src') && !safeAddress(k, v)) found.push(`${k}="${v}"`);
      }
    }
    for (const c of n.children ?? []) walk(c);
  };
  walk(parseDocument(html) as unknown as Node);
  return found;
}
