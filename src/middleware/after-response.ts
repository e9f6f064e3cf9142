import type { Context } from 'hono';

/**
 * Work that the response must not wait for (counting a visit, noting how far a person read). A
 * Worker is kept alive for it (`waitUntil`); Node simply lets it run on. `work` never rejects.
 */
export function afterResponse(c: Context, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // Only a Worker has an execution context; on Node the promise runs on by itself.
  }
}
