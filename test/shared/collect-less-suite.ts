/**
 * "Collect less": countries and page views are counted per day and linked to nobody; no IP
 * address is stored anywhere; the log holds no email address, token or address.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { countryStats, pageViewStats } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import type { ClockedForum } from './accounts-suite';
import { agent } from './agent';
import { dumpDatabase } from './dump';

const ADDRESS = '203.0.113.77';
const EMAIL = 'privacy.check@example.com';

export function collectLessSuite(setup: () => Promise<ClockedForum & { logs: string[] }>) {
  let forum: ClockedForum & { logs: string[] };
  let token = '';

  beforeAll(async () => {
    forum = await setup();
    await seedDemo(forum.deps);
    // A visitor from Germany reads; someone from France joins, signs in and posts.
    const headers = {
      'CF-IPCountry': 'DE',
      'CF-Connecting-IP': ADDRESS,
      'X-Forwarded-For': ADDRESS,
    };
    const reader = agent(forum.request, { client: ADDRESS });
    for (const path of ['/', '/f/off-topic', '/f/off-topic', '/privacy', '/healthz', '/nope']) {
      await reader.get(path, headers);
    }
    const member = agent(forum.request, { client: ADDRESS });
    const fr = { ...headers, 'CF-IPCountry': 'FR' };
    await member.post(
      '/register',
      {
        username: 'privacy_check',
        email: EMAIL,
        password: 'correct horse battery staple',
        age_confirmed: '1',
      },
      fr,
    );
    await member.get('/', fr);
    await member.post(
      '/f/off-topic',
      { title: 'Counting test', body: 'Hello.', public_ack: '1' },
      fr,
    );
    token = member.jar.get('session') ?? '';
    await forum.deps.visits.flush(forum.deps.db);
  });

  it('counts page views per day and kind of page, and countries per day', async () => {
    const day = new Date(forum.deps.now()).toISOString().slice(0, 10);
    const pages = await forum.deps.db
      .select()
      .from(pageViewStats)
      .where(eq(pageViewStats.day, day));
    const byKind = Object.fromEntries(pages.map((p) => [p.kind, p.count]));
    expect(byKind).toMatchObject({ '/': 2, '/f/:forum': 2, '/privacy': 1 });
    expect(byKind['/healthz']).toBeUndefined(); // not a page
    expect(Object.keys(byKind).some((k) => k.includes('nope'))).toBe(false); // errors are not views
    const countries = await forum.deps.db
      .select()
      .from(countryStats)
      .where(eq(countryStats.day, day));
    expect(Object.fromEntries(countries.map((c) => [c.country, c.count]))).toEqual({
      DE: 4,
      FR: 1,
    });
  });

  it('adds to the day on the next write rather than adding rows', async () => {
    await agent(forum.request).get('/', { 'CF-IPCountry': 'DE' });
    await forum.deps.visits.flush(forum.deps.db);
    const day = new Date(forum.deps.now()).toISOString().slice(0, 10);
    const de = await forum.deps.db.select().from(countryStats).where(eq(countryStats.day, day));
    expect(de.find((c) => c.country === 'DE')?.count).toBe(5);
  });

  it('stores no IP address anywhere, and email addresses only with the account', async () => {
    const dump = await dumpDatabase(forum.deps);
    expect(dump).not.toContain(ADDRESS);
    const outsideAccounts = dump
      .split('\n')
      .filter((table) => !/^(users|email_confirmations|pending_signups): /.test(table))
      .join('\n');
    expect(outsideAccounts).not.toContain(EMAIL);
    expect(dump).toContain(EMAIL); // the account's own address is kept, to sign in
  });

  it('logs no email address, session token or IP address', () => {
    expect(forum.logs.length).toBeGreaterThan(5);
    expect(token.length).toBeGreaterThan(20);
    for (const line of forum.logs) {
      expect(line).not.toContain(EMAIL);
      expect(line).not.toContain(token);
      expect(line).not.toContain(token.split('.')[1] ?? token);
      expect(line).not.toContain(ADDRESS);
      expect(line).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b/);
    }
  });
}
