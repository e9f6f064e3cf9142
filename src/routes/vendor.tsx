/** The vendor dashboard (/vendor): open questions in the vendor's product forums, and recent answers. */
import { Hono } from 'hono';
import * as z from 'zod';
import { VendorPage } from '../../views/pages/vendor';
import type { AppEnv } from '../context';
import { NotFoundError } from '../errors';
import { decodeQuestionCursor, encodeQuestionCursor, getVendorDashboard } from '../services/vendor';
import { pageQuery, parseQuery } from '../validation/fields';
import { frameOf } from './frame';

const cursor = z
  .string()
  .refine(
    (s) => decodeQuestionCursor(s) !== undefined,
    'That page link is not valid; start from the first page.',
  )
  .optional();
const vendorQuery = pageQuery.extend({ after: cursor, before: cursor });

export const vendorRoutes = new Hono<AppEnv>().get('/vendor', async (c) => {
  const deps = c.get('deps');
  const q = parseQuery(vendorQuery, c.req.query());
  const dashboard = await getVendorDashboard(deps, c.get('viewer'), {
    page: q.page,
    after: decodeQuestionCursor(q.after),
    before: decodeQuestionCursor(q.before),
  });
  if (q.page > dashboard.pageCount) {
    throw new NotFoundError(
      `The open questions fill ${dashboard.pageCount} page${dashboard.pageCount === 1 ? '' : 's'}.`,
    );
  }
  const prevHref = dashboard.prev
    ? dashboard.page === 2
      ? '/vendor'
      : `/vendor?page=${dashboard.page - 1}&before=${encodeQuestionCursor(dashboard.prev)}`
    : null;
  const nextHref = dashboard.next
    ? `/vendor?page=${dashboard.page + 1}&after=${encodeQuestionCursor(dashboard.next)}`
    : null;
  return c.html(
    <VendorPage
      frame={frameOf(c)}
      now={deps.now()}
      dashboard={dashboard}
      prevHref={prevHref}
      nextHref={nextHref}
    />,
  );
});
