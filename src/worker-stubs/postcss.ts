/**
 * sanitize-html parses `style` attributes with postcss, a CSS parser of 120 KB. Posts allow no
 * style attribute on any element (src/content/cook.ts), so the Worker bundles this instead
 * (wrangler.toml `[alias]`): sanitize-html deletes an attribute whose parse fails, which is what
 * the allowlist does anyway. Node keeps the real postcss.
 */
export function parse(): never {
  throw new Error('style attributes are not allowed in posts');
}
