/** The common-password list on Node: `common-passwords.txt`, read from disk when first imported. */
import { readFileSync } from 'node:fs';

export default readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
