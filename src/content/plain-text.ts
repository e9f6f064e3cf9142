/**
 * Plain text of a cooked post, for places that take text rather than HTML: the search index,
 * excerpts in lists, meta descriptions, the schema.org QAPage markup, and the watched words,
 * which must find a word however its letters were written in markdown. The input is our own
 * sanitized HTML, so removing tags and decoding entities is enough.
 */
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X'
          ? Number.parseInt(name.slice(2), 16)
          : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/** Elements that separate words; the others (links, emphasis, code) join what they hold. */
const BLOCK_TAG =
  /<\/?(?:p|div|li|ul|ol|pre|blockquote|h[1-6]|table|thead|tbody|tr|td|th|br|hr)\b[^>]*>/gi;

/**
 * The text of cooked HTML: tags dropped (block boundaries become spaces, inline tags join their
 * text to what is around it), entities decoded, whitespace collapsed and trimmed, at most `max`
 * characters (cut at a word, with an ellipsis).
 */
export function plainText(html: string, max = 2000): string {
  const text = decodeEntities(html.replace(BLOCK_TAG, ' ').replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
