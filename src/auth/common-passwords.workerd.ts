/** The common-password list on Workers: `common-passwords.txt`, bundled as a text module. */
import text from './common-passwords.txt';

export default text;
