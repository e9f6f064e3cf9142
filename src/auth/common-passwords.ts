/**
 * The 20,000 most common passwords of 10 characters or more (shorter ones are refused anyway),
 * lower-cased, most common first. Derived from "10_million_password_list_top_1M.txt" of the
 * OWASP SecLists project (https://github.com/danielmiessler/SecLists), by Daniel Miessler and
 * Jason Haddix, licensed under the Creative Commons Attribution-ShareAlike 3.0 License; this
 * derived list is shared under the same license.
 *
 * The list is data, one password a line, in `common-passwords.txt`. Workers cannot read files,
 * so there the file is bundled as a text module (wrangler's Text rule for `*.txt`); Node reads it
 * once from disk (`common-passwords.node.ts`). `#common-passwords` in package.json "imports"
 * picks one by the runtime's `workerd` condition; both give the same text.
 */
import text from '#common-passwords';

let list: ReadonlySet<string> | undefined;

/** The list as a set, made on first use. */
export function commonPasswords(): ReadonlySet<string> {
  list ??= new Set(text.split('\n').filter((line) => line !== ''));
  return list;
}
