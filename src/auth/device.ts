/**
 * The name of a browser and its system ("Firefox on Linux"), read from a User-Agent header at
 * sign-in, so that a person can tell their sessions apart. Only the name is stored: it comes from
 * the fixed tables below, never from the header's own text. The header is cut to its first
 * `MAX_USER_AGENT` characters and searched for plain substrings, so any header takes linear time.
 */

export const MAX_USER_AGENT = 512;

/**
 * Browsers, the first whose token appears wins: browsers built on Chromium name Chrome as well as
 * themselves, and every browser but Firefox names Safari, so they come before those two.
 */
const BROWSERS: readonly (readonly [name: string, tokens: readonly string[]])[] = [
  ['Edge', ['Edg/', 'EdgA/', 'EdgiOS/', 'Edge/']],
  ['Opera', ['OPR/', 'OPX/', 'OPT/', 'OPiOS/', 'Opera']],
  ['Samsung Internet', ['SamsungBrowser/']],
  ['Firefox', ['Firefox/', 'FxiOS/']],
  ['Chrome', ['Chrome/', 'CriOS/', 'Chromium/']],
  ['Safari', ['Safari/']],
];

/**
 * Systems, the first whose token appears wins: iOS browsers say "like Mac OS X", Android and
 * ChromeOS ones say Linux.
 */
const SYSTEMS: readonly (readonly [name: string, tokens: readonly string[]])[] = [
  ['iOS', ['iPhone', 'iPad', 'iPod']],
  ['Android', ['Android']],
  ['ChromeOS', ['CrOS']],
  ['Windows', ['Windows']],
  ['macOS', ['Macintosh', 'Mac OS X']],
  ['Linux', ['Linux']],
];

const first = (table: typeof BROWSERS, ua: string) =>
  table.find(([, tokens]) => tokens.some((t) => ua.includes(t)))?.[0];

/**
 * "Browser on System" for a User-Agent header, "Unknown browser on System" or the browser alone
 * when only one of them is known, and null when neither is (or there is no header).
 */
export function deviceName(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  const ua = userAgent.slice(0, MAX_USER_AGENT);
  const browser = first(BROWSERS, ua);
  const system = first(SYSTEMS, ua);
  if (!system) return browser ?? null;
  return `${browser ?? 'Unknown browser'} on ${system}`;
}
