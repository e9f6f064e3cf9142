/**
 * What the database's errors mean for the forum, without their values: a storage failure (full,
 * read-only, busy, unavailable) as one error type, SQLite's code, and a description for the log
 * that names the statement's shape and never its parameters.
 */
/** Why the database cannot take a write now, in the words the pages and `/readyz` use. */
export type StorageProblem = 'full' | 'read-only' | 'busy' | 'unavailable';

const STORAGE_PROBLEM: Record<StorageProblem, { retryAfterSeconds: number; cause: string }> = {
  full: { retryAfterSeconds: 300, cause: 'its storage is full' },
  'read-only': { retryAfterSeconds: 300, cause: 'its storage is read-only at the moment' },
  busy: { retryAfterSeconds: 5, cause: 'its database is busy' },
  unavailable: { retryAfterSeconds: 60, cause: 'its storage is failing' },
};

/**
 * The database refused a write (or a read) for reasons of storage, not of the request: a full
 * disk, a read-only file, a lock held too long, a failing device. Nothing was changed; the
 * person can send the same thing again later. `app.onError` answers 503 with Retry-After.
 */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
  readonly retryAfterSeconds: number;
  /** what is wrong, in a few plain words: "its storage is full" */
  readonly explanation: string;
  constructor(
    readonly problem: StorageProblem,
    /** the driver's code, e.g. SQLITE_FULL */
    readonly code: string,
  ) {
    const { retryAfterSeconds, cause } = STORAGE_PROBLEM[problem];
    super(`The forum cannot save anything right now: ${cause}. Nothing was changed.`);
    this.retryAfterSeconds = retryAfterSeconds;
    this.explanation = cause;
  }
}

/** SQLite's result codes that say the storage, not the statement, is the problem. */
const STORAGE_CODES: Record<string, StorageProblem> = {
  SQLITE_FULL: 'full',
  SQLITE_READONLY: 'read-only',
  SQLITE_BUSY: 'busy',
  SQLITE_LOCKED: 'busy',
  SQLITE_IOERR: 'unavailable',
  SQLITE_CANTOPEN: 'unavailable',
  SQLITE_PROTOCOL: 'unavailable',
  SQLITE_NOLFS: 'unavailable',
  SQLITE_CORRUPT: 'unavailable',
  SQLITE_NOTADB: 'unavailable',
};

/**
 * D1's own messages for the same situations (developers.cloudflare.com/d1/observability/debug-d1),
 * for the errors that carry no SQLite code.
 */
const D1_MESSAGES: [RegExp, StorageProblem][] = [
  [/Exceeded maximum DB size/i, 'full'],
  [/D1 DB is overloaded|Too many requests queued/i, 'busy'],
  [/Network connection lost|object to be reset|reset because its code was updated/i, 'unavailable'],
];

const MAX_CAUSES = 8;

/** The error and its causes, outermost first. */
function causeChain(err: unknown): unknown[] {
  const chain = [err];
  let e = err;
  while (chain.length < MAX_CAUSES && e instanceof Error && e.cause !== undefined) {
    e = e.cause;
    chain.push(e);
  }
  return chain;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);

/**
 * SQLite's primary result code behind an error, from any driver: libSQL puts it in `code`
 * (`SQLITE_READONLY`, with the extended one in `extendedCode`), D1 at the end of its message
 * (`D1_ERROR: database or disk is full: SQLITE_FULL`); drizzle wraps either as the cause.
 */
export function sqliteCode(err: unknown): string | undefined {
  for (const e of causeChain(err)) {
    const code = e && typeof e === 'object' && 'code' in e ? e.code : undefined;
    if (typeof code === 'string' && /^SQLITE_[A-Z]+/.test(code)) {
      return /^SQLITE_[A-Z]+/.exec(code)?.[0];
    }
    const message = messageOf(e);
    const fromMessage = /: (SQLITE_[A-Z]+)(?:_[A-Z]+)*$/.exec(message);
    if (fromMessage) return fromMessage[1];
    // libSQL on Node, when the file cannot be opened at all: `ConnectionFailed("…: 14")`
    const opening = /^ConnectionFailed\(.*: (\d+)"?\)$/.exec(message);
    if (opening) return PRIMARY_CODES[Number(opening[1]) & 0xff];
  }
  return undefined;
}

/** SQLite's primary result codes by number, for the errors that give only the number. */
const PRIMARY_CODES: Record<number, string> = {
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  26: 'SQLITE_NOTADB',
};

/**
 * The storage failure an error is, if it is one: the single place where drivers' errors (libSQL,
 * D1, through drizzle or not) become a `StorageUnavailableError`. Anything else is left alone.
 */
export function storageFailure(err: unknown): StorageUnavailableError | undefined {
  if (err instanceof StorageUnavailableError) return err;
  const code = sqliteCode(err);
  const problem = code ? STORAGE_CODES[code] : undefined;
  if (code && problem) return new StorageUnavailableError(problem, code);
  for (const e of causeChain(err)) {
    const message = messageOf(e);
    for (const [pattern, d1Problem] of D1_MESSAGES) {
      if (pattern.test(message)) return new StorageUnavailableError(d1Problem, 'D1_ERROR');
    }
  }
  return undefined;
}

/**
 * A `db.batch` that failed, with what each of its statements does (`sqlShape`); the driver's
 * error is the cause. drizzle passes batch errors on without the SQL.
 */
export class BatchError extends Error {
  override name = 'BatchError';
  constructor(
    readonly statements: string[],
    cause: unknown,
  ) {
    super(`A batch of ${statements.length} statements failed.`, { cause });
  }
}

/** The statement of a batch that failed, as its shape, when the driver says which one it was. */
function batchShape(chain: unknown[]): string | undefined {
  const batch = chain.find((e): e is BatchError => e instanceof BatchError);
  if (!batch) return undefined;
  const index = chain
    .map((e) =>
      e && typeof e === 'object' && 'statementIndex' in e ? e.statementIndex : undefined,
    )
    .find((i): i is number => typeof i === 'number');
  const failed = index === undefined ? undefined : batch.statements[index];
  if (failed)
    return `batch: ${failed}, statement ${(index ?? 0) + 1} of ${batch.statements.length}`;
  return `batch: ${batch.statements.slice(0, 6).join(', ')}${batch.statements.length > 6 ? ', …' : ''}`;
}

/** A failed query as drizzle reports it: its message holds the SQL and every parameter. */
function isQueryError(e: unknown): e is Error & { query: string } {
  return e instanceof Error && 'query' in e && typeof e.query === 'string' && 'params' in e;
}

/**
 * What a statement does, without its values: `insert users`, `update sessions`, `select sessions`.
 * Values are bound parameters, so the SQL text itself never holds them.
 */
export function sqlShape(query: string): string {
  const head = query.slice(0, 400);
  const verb = /^\s*(\w+)/.exec(head)?.[1]?.toLowerCase() ?? 'sql';
  const table = /\b(?:into|update|from)\s+[`"]?(\w+)/i.exec(head)?.[1];
  return table ? `${verb} ${table}` : verb;
}

/**
 * An error for the log: its kind, SQLite's code and the statement's shape when the database
 * failed, the innermost cause's message and where it was thrown. Never a query's parameters,
 * which hold names, email addresses, password hashes and session ids: drizzle's own message is
 * left out, and quoted text in a database's message (SQLite quotes the input it could not parse)
 * is blanked.
 */
export function describeError(err: unknown): string {
  const chain = causeChain(err);
  const innermost = chain.at(-1);
  const query = chain.find(isQueryError);
  const code = sqliteCode(err);
  const parts = [kindOf(err)];
  if (code) parts.push(code);
  const shape = query ? sqlShape(query.query) : batchShape(chain);
  if (shape) parts.push(`(${shape})`);
  if (!isQueryError(innermost)) {
    let message = messageOf(innermost);
    if (code || shape) message = message.replace(/"[^"]*"|'[^']*'/g, '"…"');
    parts.push(innermost === err ? message : `${kindOf(innermost)}: ${message}`);
  }
  parts.push(whereThrown(err));
  return parts.join(' ').trim();
}

/** An error's class: its name, or its constructor's where the name is the generic "Error". */
function kindOf(e: unknown): string {
  if (!(e instanceof Error)) return typeof e;
  return e.name === 'Error' && e.constructor.name ? e.constructor.name : e.name;
}

/**
 * The first stack frame in the forum's own code (outside node_modules and the database layer,
 * which only passes errors on), else the first one.
 */
function whereThrown(err: unknown): string {
  if (!(err instanceof Error) || !err.stack) return '';
  const frames = err.stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '));
  const own = frames.find((f) => !f.includes('node_modules') && !/[/\\]db[/\\]client\./.test(f));
  return (own ?? frames[0] ?? '').slice(0, 300);
}
