/**
 * /admin, the same on Node (libSQL) and in workerd (D1): forums (create, edit, reorder, tie to a
 * product, archive), roles and watched words. Every change is checked in the database with its
 * moderation-log row; every refusal leaves the database exactly as it was.
 */
import { asc, count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  forums,
  moderationLog,
  products,
  topics,
  users,
  vendors,
  watchedWords,
} from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import type { Role } from '../../domain/words';
import { hashPassword } from '../../src/auth/password';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, type Fetch, location } from './agent';
import { insertAccount, PASSWORD, signIn } from './people';

let seq = 0;

export function adminSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let passwordHash: string;
  const db = () => forum.deps.db;
  const page = async (res: Response) => parseHtml(await res.text());

  /** A signed-in person with this role. */
  async function person(role: Role, request: Fetch = (path, init) => forum.request(path, init)) {
    const username = `${role}_${++seq}`;
    const user = await insertAccount(db(), {
      username,
      passwordHash,
      now: forum.deps.now(),
      ageDays: 7,
      values: { role },
    });
    return { a: await signIn(request, username), user };
  }

  const forumBySlug = async (slug: string) => {
    const row = await db().select().from(forums).where(eq(forums.slug, slug)).get();
    if (!row) throw new Error(`no forum ${slug}`);
    return row;
  };
  const forumById = (id: number) => db().select().from(forums).where(eq(forums.id, id)).get();
  const slugsIn = async (category: 'products' | 'marketplace' | 'community') =>
    (
      await db()
        .select({ slug: forums.slug })
        .from(forums)
        .where(eq(forums.category, category))
        .orderBy(asc(forums.position), asc(forums.id))
    ).map((r) => r.slug);
  const logRows = () => db().select().from(moderationLog).orderBy(asc(moderationLog.id));
  let logBefore = 0;
  /** The admin's requests: each POST first notes how long the log is, for `lastLog`. */
  const tracked: Fetch = async (path, init) => {
    if (init?.method === 'POST') logBefore = (await logRows()).length;
    return forum.request(path, init);
  };
  /** The log row that the admin's last POST wrote; it must have written exactly one. */
  const lastLog = async () => {
    const added = (await logRows()).slice(logBefore);
    expect(added).toHaveLength(1);
    return added[0];
  };
  const roleOf = async (id: number) =>
    (await db().select({ role: users.role }).from(users).where(eq(users.id, id)).get())?.role;

  /** Everything /admin can change, to show that a refused request changed none of it. */
  async function snapshot() {
    return JSON.stringify({
      forums: await db().select().from(forums).orderBy(asc(forums.id)),
      vendors: await db().select().from(vendors).orderBy(asc(vendors.id)),
      products: await db().select().from(products).orderBy(asc(products.id)),
      words: await db().select().from(watchedWords).orderBy(asc(watchedWords.id)),
      log: await logRows(),
      roles: await db()
        .select({ id: users.id, role: users.role })
        .from(users)
        .orderBy(asc(users.id)),
      topics: (await db().select({ n: count() }).from(topics).get())?.n,
    });
  }

  let admin: { a: Agent; user: { id: number; username: string } };

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    await seedDemo(forum.deps);
    admin = await person('admin', tracked);
  });

  describe('who may administer', () => {
    /** Every admin route, with a target that exists and input that would be accepted. */
    async function adminRequests() {
      const target = await forumBySlug('off-topic');
      const [word] = await db()
        .insert(watchedWords)
        .values({
          word: `refusal-check-${++seq}`,
          action: 'block',
          createdAt: new Date(forum.deps.now()),
        })
        .returning();
      const { user: member } = await person('member');
      const f = `/admin/forums/${target.id}`;
      const gets = [
        '/admin',
        '/admin/forums/new',
        f,
        '/admin/roles?username=marta',
        '/admin/watched-words',
        '/admin/mail',
      ];
      const posts: [string, Record<string, string>][] = [
        ['/admin/forums', { slug: 'refused-forum', name: 'Refused forum' }],
        [f, { name: 'Renamed', description: '', category: 'community' }],
        [`${f}/move`, { direction: 'up' }],
        [
          `${f}/product`,
          { vendor_id: 'v-x', vendor_name: 'X', product_id: 'p-x', product_name: 'X' },
        ],
        [`${f}/product/remove`, {}],
        [`${f}/archive`, {}],
        [`${f}/unarchive`, {}],
        [`${f}/announcements`, { announcements: '1' }],
        ['/admin/mail/privacy-notice', {}],
        [`/admin/roles/${member.username}`, { role: 'admin' }],
        ['/admin/watched-words', { word: 'refused', action: 'block' }],
        [`/admin/watched-words/${word?.id}/remove`, {}],
      ];
      return { gets, posts };
    }

    it('covers every admin route here', async () => {
      const { gets, posts } = await adminRequests();
      const pattern = (path: string) =>
        path
          .split('?')[0]
          ?.replace(/\/admin\/forums\/\d+/, '/admin/forums/:id')
          .replace(/\/admin\/roles\/[^/]+/, '/admin/roles/:username')
          .replace(/\/admin\/watched-words\/\d+/, '/admin/watched-words/:id');
      const routes = (method: string) =>
        [...new Set(forum.routes.filter((r) => r.method === method).map((r) => r.path))]
          .filter((p) => p.startsWith('/admin'))
          .sort();
      expect(routes('GET')).toEqual(gets.map(pattern).sort());
      expect(routes('POST')).toEqual(posts.map(([p]) => pattern(p)).sort());
    });

    const cases: [string, () => Promise<Agent>, RegExp][] = [
      ['a visitor', async () => agent(forum.request), /sign in as an administrator/],
      ['a member', async () => (await person('member')).a, /Only administrators/],
      ['a moderator', async () => (await person('moderator')).a, /Only administrators/],
    ];
    it.each(cases)(
      'refuses %s everything, with a 403 that says why, and changes nothing',
      async (_, who, message) => {
        const a = await who();
        const { gets, posts } = await adminRequests();
        const before = await snapshot();
        for (const path of gets) {
          const res = await a.get(path);
          expect(res.status, path).toBe(403);
          const doc = await page(res);
          expect(doc.querySelector('main')?.text, path).toMatch(message);
        }
        for (const [path, fields] of posts) {
          expect((await a.post(path, fields)).status, path).toBe(403);
          // Bad input is refused the same way: nothing is judged before the permission.
          expect((await a.post(path, { slug: '!', role: 'king', word: '' })).status, path).toBe(
            403,
          );
        }
        expect(await snapshot()).toBe(before);
      },
    );

    it('offers a visitor the sign-in that comes back to /admin', async () => {
      const doc = await page(await agent(forum.request).get('/admin'));
      expect(doc.querySelector('a[href="/login?next=%2Fadmin"]')).not.toBeNull();
    });
  });

  describe('forums', () => {
    it('lists every forum by category and position, with its product and actions', async () => {
      const res = await admin.a.get('/admin');
      expect(res.status).toBe(200);
      const doc = await page(res);
      expect(doc.querySelectorAll('main section h2').map((h) => h.text)).toEqual([
        'Products',
        'Marketplace',
        'Community',
      ]);
      const listed = doc
        .querySelectorAll('#category-products + ol .admin-forum-facts a')
        .map((a) => a.getAttribute('href'));
      expect(listed).toEqual((await slugsIn('products')).map((s) => `/f/${s}`));
      const acme = await forumBySlug('acme-backup-pro');
      const item = doc
        .querySelectorAll('.admin-forum')
        .find(
          (li) => li.querySelector('h3 a')?.getAttribute('href') === `/admin/forums/${acme.id}`,
        );
      expect(item?.text).toContain('Acme Software / Acme Backup Pro');
      // The first forum of a category moves only down, the last only up.
      expect(
        item?.querySelectorAll('input[name=direction]').map((i) => i.getAttribute('value')),
      ).toEqual(['down']);
    });

    it('creates a forum at the end of its category, logged as forum_create', async () => {
      const before = await slugsIn('community');
      const res = await admin.a.post('/admin/forums', {
        slug: ' Show-And-Tell ',
        name: 'Show and tell',
        description: 'What you made with the software you bought.',
        category: '',
      });
      expect(res.status).toBe(303);
      const created = await forumBySlug('show-and-tell');
      expect(location(res)).toBe(`/admin/forums/${created.id}?done=created`);
      expect(created).toMatchObject({
        name: 'Show and tell',
        description: 'What you made with the software you bought.',
        category: 'community',
        productId: null,
        archived: false,
      });
      expect(await slugsIn('community')).toEqual([...before, 'show-and-tell']);
      expect(await lastLog()).toMatchObject({
        moderatorId: admin.user.id,
        action: 'forum_create',
        targetType: 'forum',
        targetId: created.id,
      });
      const doc = await page(await admin.a.get(location(res)));
      expect(doc.querySelector('[role=status]')?.text).toContain('The forum was created.');
      expect((await forum.request('/f/show-and-tell')).status).toBe(200);
    });

    it('creates a product forum in Products with a new vendor and product', async () => {
      const res = await admin.a.post('/admin/forums', {
        slug: 'tidy-files',
        name: 'Tidy Files',
        category: '',
        vendor_id: 'vendor-tidy',
        vendor_name: 'Tidy Tools',
        product_id: 'product-tidy-files',
        product_name: 'Tidy Files 2',
      });
      expect(res.status).toBe(303);
      const created = await forumBySlug('tidy-files');
      const vendor = await db()
        .select()
        .from(vendors)
        .where(eq(vendors.plimusVendorId, 'vendor-tidy'))
        .get();
      const product = await db()
        .select()
        .from(products)
        .where(eq(products.plimusProductId, 'product-tidy-files'))
        .get();
      expect(vendor?.name).toBe('Tidy Tools');
      expect(product).toMatchObject({ name: 'Tidy Files 2', vendorId: vendor?.id });
      expect(created).toMatchObject({ category: 'products', productId: product?.id });
      expect((await slugsIn('products')).at(-1)).toBe('tidy-files');
      expect(await lastLog()).toMatchObject({
        action: 'forum_create',
        targetId: created.id,
        note: 'tied to Tidy Tools (vendor-tidy) / Tidy Files 2 (product-tidy-files)',
      });
    });

    const good = { slug: 'a-good-slug', name: 'A good name', description: '', category: '' };
    const bad: [string, Record<string, string>, string, RegExp][] = [
      [
        'a slug with spaces',
        { slug: 'not a slug' },
        'slug',
        /letters a-z, digits and single hyphens/,
      ],
      ['a slug of one character', { slug: 'x' }, 'slug', /2 to 40 characters/],
      ['a slug of 41 characters', { slug: 'x'.repeat(41) }, 'slug', /2 to 40 characters/],
      ['a double hyphen', { slug: 'a--b' }, 'slug', /single hyphens/],
      ['a taken slug', { slug: 'OFF-TOPIC' }, 'slug', /already has this address/],
      ['an empty name', { name: '   ' }, 'name', /2 to 80 characters/],
      ['a name of 81 characters', { name: 'n'.repeat(81) }, 'name', /2 to 80 characters/],
      ['a long description', { description: 'd'.repeat(301) }, 'description', /at most 300/],
      [
        'an unknown category',
        { category: 'games' },
        'category',
        /Products, Marketplace or Community/,
      ],
      [
        'half a product',
        { vendor_id: 'vendor-acme', product_name: 'Thing' },
        'vendor_name',
        /Enter the vendor name too/,
      ],
      [
        'a vendor id with spaces',
        { vendor_id: 'vendor acme', vendor_name: 'A', product_id: 'p', product_name: 'P' },
        'vendor_id',
        /without spaces/,
      ],
      [
        "another vendor's product",
        {
          vendor_id: 'vendor-northwind',
          vendor_name: 'Northwind Labs',
          product_id: 'product-acme-backup',
          product_name: 'Acme Backup Pro',
        },
        'product_id',
        /belongs to the vendor Acme Software/,
      ],
    ];
    it.each(bad)(
      'refuses %s: 422, the form back with the values and the message, nothing written',
      async (_, change, field, message) => {
        const before = await snapshot();
        const fields = { ...good, ...change };
        const res = await admin.a.post('/admin/forums', fields);
        expect(res.status).toBe(422);
        const doc = await page(res);
        expect(doc.querySelector(`#${field}-error`)?.text).toMatch(message);
        expect(doc.querySelector('.error-summary')).not.toBeNull();
        for (const name of ['slug', 'name', 'description', 'vendor_id', 'product_name'] as const) {
          const sent = (fields as Record<string, string>)[name] ?? '';
          expect(doc.querySelector(`#${name}`)?.getAttribute('value') ?? '', name).toBe(sent);
        }
        expect(doc.querySelector('#category option[selected]')?.getAttribute('value') ?? '').toBe(
          fields.category === 'games' ? '' : fields.category,
        );
        expect(await snapshot()).toBe(before);
      },
    );

    it('edits the name, description and category (to the end of the new one), logged as forum_update', async () => {
      const target = await forumBySlug('marketplace-help');
      const community = await slugsIn('community');
      const res = await admin.a.post(`/admin/forums/${target.id}`, {
        name: 'Buying  help',
        description: 'Orders, downloads and licences.',
        category: 'community',
      });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/admin/forums/${target.id}?done=saved`);
      expect(await forumById(target.id)).toMatchObject({
        slug: 'marketplace-help',
        name: 'Buying help',
        description: 'Orders, downloads and licences.',
        category: 'community',
      });
      expect(await slugsIn('community')).toEqual([...community, 'marketplace-help']);
      expect(await lastLog()).toMatchObject({
        moderatorId: admin.user.id,
        action: 'forum_update',
        targetType: 'forum',
        targetId: target.id,
        note: 'name: Marketplace help -> Buying help; description; category: marketplace -> community',
      });
      // The same again changes nothing and logs nothing.
      const log = (await logRows()).length;
      const again = await admin.a.post(`/admin/forums/${target.id}`, {
        name: 'Buying help',
        description: 'Orders, downloads and licences.',
        category: 'community',
      });
      expect(location(again)).toBe(`/admin/forums/${target.id}?done=unchanged`);
      expect(await logRows()).toHaveLength(log);
      // The slug is not a field of the form: it never changes.
      const doc = await page(await admin.a.get(`/admin/forums/${target.id}`));
      expect(doc.querySelector(`form[action="/admin/forums/${target.id}"] [name=slug]`)).toBeNull();
    });

    it('refuses a bad edit: 422, values kept, nothing written; an unknown forum is 404', async () => {
      const target = await forumBySlug('announcements');
      const before = await snapshot();
      const res = await admin.a.post(`/admin/forums/${target.id}`, {
        name: 'x',
        description: 'Kept text',
        category: 'nowhere',
      });
      expect(res.status).toBe(422);
      const doc = await page(res);
      expect(doc.querySelector('#name-error')?.text).toMatch(/2 to 80 characters/);
      expect(doc.querySelector('#category-error')?.text).toMatch(
        /Products, Marketplace or Community/,
      );
      expect(doc.querySelector('#name')?.getAttribute('value')).toBe('x');
      expect(doc.querySelector('#description')?.getAttribute('value')).toBe('Kept text');
      // The other forms on the page show what is stored.
      expect(doc.querySelector('#vendor_id')?.getAttribute('value')).toBe('');
      expect(await snapshot()).toBe(before);
      expect((await admin.a.get('/admin/forums/99999')).status).toBe(404);
      expect(
        (await admin.a.post('/admin/forums/99999', { name: 'Fine name', category: 'community' }))
          .status,
      ).toBe(404);
      expect(await snapshot()).toBe(before);
    });

    it('refuses a name or description with control or bidirectional characters: 422, nothing written', async () => {
      const target = await forumBySlug('announcements');
      const before = await snapshot();
      for (const [field, value] of [
        ['name', 'News\u202e swen'],
        ['name', 'News\u0000'],
        ['description', 'What is \u2066new\u2069'],
      ] as const) {
        const fields = {
          name: 'News',
          description: 'Plain',
          category: 'community',
          [field]: value,
        };
        const res = await admin.a.post(`/admin/forums/${target.id}`, fields);
        expect(res.status, value).toBe(422);
        const doc = await page(res);
        expect(doc.querySelector(`#${field}-error`)?.text).toMatch(/invisible control characters/);
        expect(doc.querySelector(`#${field}`)?.getAttribute('value')).toBe(value);
      }
      expect(await snapshot()).toBe(before);
    });

    it('moves a forum up and down within its category, logged as forum_reorder', async () => {
      const [first, second, third] = await slugsIn('products');
      const target = await forumBySlug(second as string);
      const up = await admin.a.post(`/admin/forums/${target.id}/move`, { direction: 'up' });
      expect(up.status).toBe(303);
      expect(location(up)).toBe('/admin?done=moved#category-products');
      expect((await slugsIn('products')).slice(0, 3)).toEqual([second, first, third]);
      expect(await lastLog()).toMatchObject({
        moderatorId: admin.user.id,
        action: 'forum_reorder',
        targetType: 'forum',
        targetId: target.id,
        note: 'up: position 2 -> 1 in products',
      });
      // Positions are 1, 2, 3... after a move.
      const positions = await db()
        .select({ position: forums.position })
        .from(forums)
        .where(eq(forums.category, 'products'))
        .orderBy(asc(forums.position));
      expect(positions.map((p) => p.position)).toEqual(positions.map((_, i) => i + 1));

      // Already first: nothing moves, nothing is logged.
      const log = (await logRows()).length;
      const again = await admin.a.post(`/admin/forums/${target.id}/move`, { direction: 'up' });
      expect(location(again)).toBe('/admin?done=unchanged#category-products');
      expect(await logRows()).toHaveLength(log);

      const down = await admin.a.post(`/admin/forums/${target.id}/move`, { direction: 'down' });
      expect(down.status).toBe(303);
      expect((await slugsIn('products')).slice(0, 3)).toEqual([first, second, third]);
      expect((await lastLog())?.note).toBe('down: position 1 -> 2 in products');

      // Other categories are untouched, and the index shows the new order.
      const home = await page(await forum.request('/'));
      expect(
        home
          .querySelectorAll('#group-products ~ ul .forum-name a')
          .map((a) => a.getAttribute('href'))
          .slice(0, 3),
      ).toEqual([`/f/${first}`, `/f/${second}`, `/f/${third}`]);
    });

    it('refuses a move that is neither up nor down (400) and changes nothing', async () => {
      const target = await forumBySlug('off-topic');
      const before = await snapshot();
      expect(
        (await admin.a.post(`/admin/forums/${target.id}/move`, { direction: 'sideways' })).status,
      ).toBe(400);
      expect((await admin.a.post(`/admin/forums/${target.id}/move`, {})).status).toBe(400);
      expect(await snapshot()).toBe(before);
    });

    it('ties a forum to a vendor product and unties it, logged as forum_tie and forum_untie', async () => {
      const target = await forumBySlug('announcements');
      const res = await admin.a.post(`/admin/forums/${target.id}/product`, {
        vendor_id: 'vendor-acme',
        vendor_name: 'Acme Software',
        product_id: 'product-acme-news',
        product_name: 'Acme News',
      });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/admin/forums/${target.id}?done=tied`);
      const product = await db()
        .select()
        .from(products)
        .where(eq(products.plimusProductId, 'product-acme-news'))
        .get();
      const acme = await db()
        .select()
        .from(vendors)
        .where(eq(vendors.plimusVendorId, 'vendor-acme'))
        .get();
      expect(product?.vendorId).toBe(acme?.id);
      expect((await forumById(target.id))?.productId).toBe(product?.id);
      expect(await lastLog()).toMatchObject({
        moderatorId: admin.user.id,
        action: 'forum_tie',
        targetType: 'forum',
        targetId: target.id,
        note: 'Acme Software (vendor-acme) / Acme News (product-acme-news)',
      });
      const doc = await page(await admin.a.get(`/admin/forums/${target.id}`));
      expect(doc.querySelector('#product-title + p')?.text).toContain('Acme News');
      expect(doc.querySelector('#product_id')?.getAttribute('value')).toBe('product-acme-news');

      const untie = await admin.a.post(`/admin/forums/${target.id}/product/remove`);
      expect(location(untie)).toBe(`/admin/forums/${target.id}?done=untied`);
      expect((await forumById(target.id))?.productId).toBeNull();
      expect(await lastLog()).toMatchObject({
        action: 'forum_untie',
        targetId: target.id,
        note: 'was Acme Software (vendor-acme) / Acme News (product-acme-news)',
      });
      // The product stays known; untying again changes nothing.
      expect(
        await db()
          .select()
          .from(products)
          .where(eq(products.id, product?.id ?? 0))
          .get(),
      ).toBeDefined();
      const log = (await logRows()).length;
      const again = await admin.a.post(`/admin/forums/${target.id}/product/remove`);
      expect(location(again)).toBe(`/admin/forums/${target.id}?done=unchanged`);
      expect(await logRows()).toHaveLength(log);
    });

    it('refuses a bad tie: 422, values kept, nothing written', async () => {
      const target = await forumBySlug('off-topic');
      const before = await snapshot();
      const partial = await admin.a.post(`/admin/forums/${target.id}/product`, {
        vendor_id: 'vendor-new',
        vendor_name: '',
        product_id: '',
        product_name: 'Something',
      });
      expect(partial.status).toBe(422);
      const doc = await page(partial);
      expect(doc.querySelector('#vendor_name-error')?.text).toMatch(/Enter the vendor name/);
      expect(doc.querySelector('#product_id-error')?.text).toMatch(/Enter the product id/);
      expect(doc.querySelector('#vendor_id')?.getAttribute('value')).toBe('vendor-new');
      expect(doc.querySelector('#product_name')?.getAttribute('value')).toBe('Something');
      // The details form shows what is stored.
      expect(doc.querySelector('#name')?.getAttribute('value')).toBe('Off-topic');

      const stolen = await admin.a.post(`/admin/forums/${target.id}/product`, {
        vendor_id: 'vendor-pixelsmith',
        vendor_name: 'Pixelsmith',
        product_id: 'product-acme-backup',
        product_name: 'Acme Backup Pro',
      });
      expect(stolen.status).toBe(422);
      expect((await page(stolen)).querySelector('#product_id-error')?.text).toMatch(
        /belongs to the vendor Acme Software \(vendor id vendor-acme\)/,
      );
      expect(await snapshot()).toBe(before);
    });

    it('archives a forum (read-only: no new topics or replies) and opens it again', async () => {
      const target = await forumBySlug('off-topic');
      const topic = await db().select().from(topics).where(eq(topics.forumId, target.id)).get();
      const { a: writer } = await person('member');

      const res = await admin.a.post(`/admin/forums/${target.id}/archive`);
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/admin/forums/${target.id}?done=archived`);
      expect((await forumById(target.id))?.archived).toBe(true);
      expect(await lastLog()).toMatchObject({
        moderatorId: admin.user.id,
        action: 'forum_archive',
        targetType: 'forum',
        targetId: target.id,
      });

      const before = await snapshot();
      expect((await writer.get('/f/off-topic/new')).status).toBe(403);
      const refused = await writer.post('/f/off-topic', {
        title: 'A topic in an archive',
        body: 'Hello?',
        kind: 'discussion',
      });
      expect(refused.status).toBe(403);
      expect((await page(refused)).querySelector('main')?.text).toMatch(/archived/);
      expect((await writer.post(`/t/${topic?.id}/replies`, { body: 'Hello?' })).status).toBe(403);
      // An admin is refused too: archived means read-only for everyone.
      expect(
        (
          await admin.a.post('/f/off-topic', {
            title: 'Admin topic here',
            body: 'Hi',
            kind: 'discussion',
          })
        ).status,
      ).toBe(403);
      expect(await snapshot()).toBe(before);
      expect((await forum.request('/f/off-topic')).status).toBe(200);

      const open = await admin.a.post(`/admin/forums/${target.id}/unarchive`);
      expect(location(open)).toBe(`/admin/forums/${target.id}?done=unarchived`);
      expect((await forumById(target.id))?.archived).toBe(false);
      expect((await lastLog())?.action).toBe('forum_unarchive');
      forum.clock.advance(60_000);
      const posted = await writer.post('/f/off-topic', {
        title: 'A topic after reopening',
        body: 'Hello again.',
        kind: 'discussion',
      });
      expect(posted.status).toBe(303);

      // Archiving an archived forum changes nothing.
      await admin.a.post(`/admin/forums/${target.id}/archive`);
      const log = (await logRows()).length;
      const again = await admin.a.post(`/admin/forums/${target.id}/archive`);
      expect(location(again)).toBe(`/admin/forums/${target.id}?done=unchanged`);
      expect(await logRows()).toHaveLength(log);
      await admin.a.post(`/admin/forums/${target.id}/unarchive`);
    });
  });

  describe('roles', () => {
    it('finds a member by username, without regard to case', async () => {
      const { user } = await person('member');
      const doc = await page(
        await admin.a.get(`/admin/roles?username=${user.username.toUpperCase()}`),
      );
      expect(doc.querySelector('#member-title')?.text).toBe(user.username);
      expect(doc.querySelector('#role-member')?.hasAttribute('checked')).toBe(true);
      const none = await page(await admin.a.get('/admin/roles?username=nobody-here'));
      expect(none.querySelector('main')?.text).toContain('No member has the username nobody-here');
      expect(none.querySelector('#member-title')).toBeNull();
    });

    it('searches usernames by their first letters, at most 20, with no wildcard in the search', async () => {
      const stamp = ++seq;
      for (let i = 0; i < 22; i++) {
        await insertAccount(db(), {
          username: `Pfx${stamp}_${String(i).padStart(2, '0')}`,
          passwordHash,
          now: forum.deps.now(),
        });
      }
      const doc = await page(await admin.a.get(`/admin/roles?username=pfx${stamp}_`));
      const names = doc.querySelectorAll('#matches-title + ul li a').map((a) => a.text);
      expect(names).toHaveLength(20);
      expect(names[0]).toBe(`Pfx${stamp}_00`);
      expect(names[19]).toBe(`Pfx${stamp}_19`);
      expect(doc.querySelector(`a[href="/admin/roles?username=Pfx${stamp}_05"]`)).not.toBeNull();
      // An exact username shows its form, and the others that start with it below.
      const exact = await page(await admin.a.get(`/admin/roles?username=Pfx${stamp}_1`));
      expect(exact.querySelector('#member-title')).toBeNull();
      expect(exact.querySelectorAll('#matches-title + ul li')).toHaveLength(10);
      // LIKE's wildcards are ordinary characters here: nobody's name starts with % or _.
      for (const q of ['%25', '_', `pfx${stamp}%25`]) {
        const none = await page(await admin.a.get(`/admin/roles?username=${q}`));
        expect(none.querySelector('#matches-title'), q).toBeNull();
      }
    });

    it('lists the current staff: administrators, then moderators', async () => {
      const { user: moderator } = await person('moderator');
      const { user: member } = await person('member');
      const doc = await page(await admin.a.get('/admin/roles'));
      const staff = doc.querySelectorAll('#staff-title + ul li').map((li) => li.text);
      expect(staff).toContain(`${admin.user.username} — Administrator`);
      expect(staff).toContain(`${moderator.username} — Moderator`);
      expect(staff.some((t) => t.startsWith(`${member.username} `))).toBe(false);
      const firstModerator = staff.findIndex((t) => t.endsWith('Moderator'));
      expect(staff.slice(firstModerator).every((t) => t.endsWith('Moderator'))).toBe(true);
    });

    it('changes a role, logged as role_change with "old -> new"', async () => {
      const { user, a } = await person('member');
      const res = await admin.a.post(`/admin/roles/${user.username}`, { role: 'moderator' });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/admin/roles?username=${user.username}&done=role`);
      expect(await roleOf(user.id)).toBe('moderator');
      expect(await lastLog()).toMatchObject({
        moderatorId: admin.user.id,
        action: 'role_change',
        targetType: 'user',
        targetId: user.id,
        note: 'member -> moderator',
      });
      const doc = await page(await admin.a.get(location(res)));
      expect(doc.querySelector('[role=status]')?.text).toContain('The role was changed.');
      expect(doc.querySelector('#role-moderator')?.hasAttribute('checked')).toBe(true);

      // The new role applies at the next request, in the same session.
      expect((await a.get('/admin')).status).toBe(403);
      await admin.a.post(`/admin/roles/${user.username}`, { role: 'admin' });
      expect((await lastLog())?.note).toBe('moderator -> admin');
      expect((await a.get('/admin')).status).toBe(200);
    });

    it('refuses an unknown role (422, nothing written) and an unknown member (404)', async () => {
      const { user } = await person('member');
      const before = await snapshot();
      const res = await admin.a.post(`/admin/roles/${user.username}`, { role: 'king' });
      expect(res.status).toBe(422);
      const doc = await page(res);
      expect(doc.querySelector('#role-error')?.text).toMatch(/member, moderator or admin/);
      expect(doc.querySelector('#member-title')?.text).toBe(user.username);
      expect((await admin.a.post(`/admin/roles/${user.username}`, {})).status).toBe(422);
      expect((await admin.a.post('/admin/roles/nobody-here', { role: 'admin' })).status).toBe(404);
      expect(await snapshot()).toBe(before);
    });

    it('never lets an admin take away their own admin role, so one always remains', async () => {
      const self = await person('admin');
      const doc = await page(await self.a.get(`/admin/roles?username=${self.user.username}`));
      expect(doc.querySelector('main')?.text).toContain('This is you');
      expect(doc.querySelector(`form[action="/admin/roles/${self.user.username}"]`)).toBeNull();
      const before = await snapshot();
      for (const role of ['member', 'moderator']) {
        const res = await self.a.post(`/admin/roles/${self.user.username}`, { role });
        expect(res.status).toBe(403);
        expect((await page(res)).querySelector('main')?.text).toMatch(
          /cannot remove your own administrator role/,
        );
      }
      expect(await snapshot()).toBe(before);
      expect(await roleOf(self.user.id)).toBe('admin');
      // Another admin may.
      const res = await admin.a.post(`/admin/roles/${self.user.username}`, { role: 'member' });
      expect(res.status).toBe(303);
      expect(await roleOf(self.user.id)).toBe('member');
      expect((await lastLog())?.note).toBe('admin -> member');
    });
  });

  describe('watched words', () => {
    const wordRow = (word: string) =>
      db().select().from(watchedWords).where(eq(watchedWords.word, word)).get();

    it('adds a word or phrase, normalized and lower-cased, logged as watched_word_add', async () => {
      const res = await admin.a.post('/admin/watched-words', {
        word: '  Free \t MONEY ',
        action: 'hold',
      });
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/admin/watched-words?done=word-added');
      expect(await wordRow('free money')).toMatchObject({ action: 'hold' });
      expect(await lastLog()).toMatchObject({
        moderatorId: admin.user.id,
        action: 'watched_word_add',
        targetType: 'watched_word',
        targetId: (await wordRow('free money'))?.id,
        note: '"free money" (hold)',
      });
      const doc = await page(await admin.a.get(location(res)));
      const row = doc
        .querySelectorAll('table tr')
        .find((tr) => tr.querySelector('td')?.text === 'free money');
      expect(row?.text).toContain('held for approval');
      expect(doc.querySelector('[role=status]')?.text).toContain('The word was added');
    });

    const bad: [string, Record<string, string>, string, RegExp][] = [
      ['an empty word', { word: '   ', action: 'block' }, 'word', /Enter a word or phrase/],
      [
        'a word of 101 characters',
        { word: 'w'.repeat(101), action: 'block' },
        'word',
        /at most 100/,
      ],
      [
        'a word without letters or digits',
        { word: '!!!', action: 'block' },
        'word',
        /at least one letter or digit/,
      ],
      [
        'a word with a right-to-left override',
        { word: 'cas\u202eino', action: 'block' },
        'word',
        /invisible control characters/,
      ],
      ['no action', { word: 'casino' }, 'action', /blocked or held/],
      ['an unknown action', { word: 'casino', action: 'shout' }, 'action', /blocked or held/],
      [
        'a word on the list already, in other case',
        { word: 'FREE  Money', action: 'block' },
        'word',
        /on the list already \(held for approval\)/,
      ],
    ];
    it.each(bad)(
      'refuses %s: 422, values kept, nothing written',
      async (_, fields, field, message) => {
        await db()
          .insert(watchedWords)
          .values({ word: 'free money', action: 'hold', createdAt: new Date(forum.deps.now()) })
          .onConflictDoNothing();
        const before = await snapshot();
        const res = await admin.a.post('/admin/watched-words', fields);
        expect(res.status).toBe(422);
        const doc = await page(res);
        expect(doc.querySelector(`#${field}-error`)?.text).toMatch(message);
        expect(doc.querySelector('#word')?.getAttribute('value')).toBe(fields.word);
        const checked = doc.querySelector('input[name=action][checked]')?.getAttribute('value');
        expect(checked).toBe(fields.action === 'block' ? 'block' : undefined);
        expect(await snapshot()).toBe(before);
      },
    );

    it('removes a word, logged as watched_word_remove; an unknown one is 404', async () => {
      await admin.a.post('/admin/watched-words', { word: 'crypto giveaway', action: 'block' });
      const word = await wordRow('crypto giveaway');
      const res = await admin.a.post(`/admin/watched-words/${word?.id}/remove`);
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/admin/watched-words?done=word-removed');
      expect(await wordRow('crypto giveaway')).toBeUndefined();
      expect(await lastLog()).toMatchObject({
        moderatorId: admin.user.id,
        action: 'watched_word_remove',
        targetType: 'watched_word',
        targetId: word?.id,
        note: '"crypto giveaway" (block)',
      });
      const before = await snapshot();
      expect((await admin.a.post(`/admin/watched-words/${word?.id}/remove`)).status).toBe(404);
      expect(await snapshot()).toBe(before);
    });
  });
}
