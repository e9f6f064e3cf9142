/** Reading the command line of the scripts (and of the benchmark, which seeds through them). */

/** `--name value` or `--name=value` from `args`. */
export function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const arg = args[i] as string;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[i + 1];
}

/** "1000000", "1_000_000", "1e6", "250k", "1m"; NaN for anything else. */
export function parseCount(value: string | undefined): number {
  const m = value
    ?.trim()
    .toLowerCase()
    .replace(/_/g, '')
    .match(/^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/);
  if (!m) return Number.NaN;
  return Math.round(Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'm' ? 1e6 : 1));
}
