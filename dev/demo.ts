/**
 * Demo content for a new forum: vendors with products and a forum each, the general forums,
 * people, and topics that show markdown, code, quotes and links to other sites. Everything is
 * written through the same services (and so the same cooking pipeline) as real posts.
 */
import { eq } from 'drizzle-orm';
import { users } from '../db/schema';
import { hashPassword, verifyPassword } from '../src/auth/password';
import type { AppDeps, DemoStaff } from '../src/context';
import { createMember } from '../src/services/accounts';
import { createForum, ensureProduct, ensureVendor, forumCount } from '../src/services/catalog';
import { createReply, createTopic } from '../src/services/posting';

/** The demo catalogue. The ids are the ones the development Plimus identity hands out. */
export const DEMO_VENDORS = [
  {
    plimusVendorId: 'vendor-acme',
    name: 'Acme Software',
    product: { plimusProductId: 'product-acme-backup', name: 'Acme Backup Pro' },
    forum: {
      slug: 'acme-backup-pro',
      description: 'Questions and answers about Acme Backup Pro, with the Acme Software team.',
    },
  },
  {
    plimusVendorId: 'vendor-northwind',
    name: 'Northwind Labs',
    product: { plimusProductId: 'product-northwind-invoice', name: 'Northwind Invoice' },
    forum: {
      slug: 'northwind-invoice',
      description: 'Invoicing for small businesses: setup, templates, exports.',
    },
  },
  {
    plimusVendorId: 'vendor-pixelsmith',
    name: 'Pixelsmith',
    product: { plimusProductId: 'product-pixelsmith-studio', name: 'Pixelsmith Studio' },
    forum: {
      slug: 'pixelsmith-studio',
      description: 'Photo editing with Pixelsmith Studio: tips, plug-ins and bug reports.',
    },
  },
] as const;

const GENERAL_FORUMS = [
  {
    slug: 'announcements',
    name: 'Announcements',
    category: 'marketplace',
    description: 'News about the Plimus marketplace and these forums.',
    // an administrator's topic here can be emailed to the members who chose announcements
    announcements: true,
  },
  {
    slug: 'marketplace-help',
    name: 'Marketplace help',
    category: 'marketplace',
    description: 'Buying, downloading, licences and refunds on Plimus.',
  },
  {
    slug: 'off-topic',
    name: 'Off-topic',
    category: 'community',
    description: 'Everything else, as long as it is friendly.',
  },
] as const;

const PEOPLE = [
  { username: 'marta', displayName: 'Marta Kowalski', bio: 'Community manager at Plimus.' },
  { username: 'devon_r', displayName: 'Devon Reyes', bio: 'Sysadmin for a small design studio.' },
  { username: 'lin-chen', displayName: 'Lin Chen', bio: 'Freelance photographer.' },
  { username: 'oskar', displayName: null, bio: '' },
  {
    username: 'priya_s',
    displayName: 'Priya S.',
    bio: 'Bookkeeper. Spreadsheets are my love language.',
  },
  { username: 'tomasz', displayName: 'Tomasz', bio: 'Writes software, buys too much of it.' },
] as const;

type Person = (typeof PEOPLE)[number]['username'];

type DemoTopic = {
  forum: string;
  author: Person;
  title: string;
  kind?: 'discussion' | 'question';
  body: string;
  replies: { author: Person; body: string }[];
};

const TOPICS: DemoTopic[] = [
  {
    forum: 'announcements',
    author: 'marta',
    title: 'Welcome to the Plimus Community Forums',
    body: `Welcome! These forums are the place to talk about the software you bought on Plimus, to ask vendors questions about their products, and to help each other.

A few things to know before you post:

1. **Everything here is public.** Anyone on the internet can read it, and search engines index it.
2. **Never post personal information**: no email addresses, phone numbers, licence keys or order numbers. Vendors will never ask for them in public.
3. Links to other sites open a page that tells you where you are going first. Those sites have their own privacy policies.

Read the full [privacy notice](/privacy) to see what the forums keep about you and why.`,
    replies: [
      {
        author: 'tomasz',
        body: 'Great to have a place for this. The link warning page is a nice touch.',
      },
      {
        author: 'devon_r',
        body: `> Never post personal information

Worth repeating. I have seen people paste full licence keys into support threads elsewhere.`,
      },
    ],
  },
  {
    forum: 'acme-backup-pro',
    author: 'devon_r',
    kind: 'question',
    title: 'Scheduled backup skips files that are open in another program',
    body: `Running Acme Backup Pro 7.2 on Windows 11. The nightly job finishes, but the log says:

\`\`\`
[02:00:13] WARN  skipped C:\\Projects\\ledger.xlsx (file in use)
[02:00:13] WARN  skipped C:\\Projects\\notes.one (file in use)
[02:00:41] INFO  job "Nightly" finished: 12,408 files, 2 skipped
\`\`\`

Is there a setting to back up open files, or do I have to close everything before the job runs?`,
    replies: [
      {
        author: 'tomasz',
        body: 'I had the same thing. It went away after I enabled *Volume Shadow Copy* in the job options (Advanced tab).',
      },
      {
        author: 'devon_r',
        body: `Found it, thanks. For anyone else, the [Microsoft documentation on the Volume Shadow Copy Service](https://learn.microsoft.com/en-us/windows-server/storage/file-server/volume-shadow-copy-service) explains what it does.

The job now reports \`0 skipped\`.`,
      },
    ],
  },
  {
    forum: 'acme-backup-pro',
    author: 'priya_s',
    title: 'Restoring a single folder from last month',
    body: 'Is it possible to restore just one folder from an older backup set without restoring everything? The restore wizard seems to want the whole set.',
    replies: [
      {
        author: 'devon_r',
        body: `Yes: in the restore wizard choose **Browse backup** instead of **Restore all**, then:

- pick the date in the calendar on the left,
- tick the folder,
- choose *Restore to another location* if you want to keep the current version.`,
      },
    ],
  },
  {
    forum: 'northwind-invoice',
    author: 'priya_s',
    kind: 'question',
    title: 'Export invoices to CSV with a semicolon separator?',
    body: `My accounting software (European locale) expects \`;\` as the separator. The CSV export in Northwind Invoice uses commas.

| Field | Expected | Got |
| --- | --- | --- |
| separator | \`;\` | \`,\` |
| decimal mark | \`,\` | \`.\` |

Is there a setting for this?`,
    replies: [
      {
        author: 'oskar',
        body: 'The export follows the system locale on my machine. Which language is your operating system set to?',
      },
    ],
  },
  {
    forum: 'northwind-invoice',
    author: 'oskar',
    title: 'Template gallery: share your invoice templates',
    body: `Let's collect good invoice templates here. Mine is a minimal one based on the [Swiss QR-bill style guide](https://www.six-group.com/en/products-services/banking-services/payment-standardization/standards/qr-bill.html).

Please remove your own company details before you share one.`,
    replies: [
      {
        author: 'priya_s',
        body: 'Love this idea. I will post mine once I strip out the client names.',
      },
      {
        author: 'tomasz',
        body: 'Is there a way to import templates, or do we recreate them by hand?',
      },
      {
        author: 'oskar',
        body: '*File → Import template* takes the `.nwt` files that *File → Export template* writes.',
      },
    ],
  },
  {
    forum: 'pixelsmith-studio',
    author: 'lin-chen',
    kind: 'question',
    title: 'Batch export keeps the wrong colour profile',
    body: `When I batch-export RAW files to JPEG the colours look washed out in the browser. Single exports are fine.

Settings I use:

- Output: JPEG, quality 90
- Resize: long edge 2048 px
- Colour profile: *Same as source*

I suspect *Same as source* means the files stay in Adobe RGB. Should I convert to sRGB for the web?`,
    replies: [
      {
        author: 'tomasz',
        body: 'Yes, convert to sRGB for anything that ends up on the web. Browsers assume sRGB when a profile is missing or ignored.',
      },
    ],
  },
  {
    forum: 'pixelsmith-studio',
    author: 'tomasz',
    title: 'Writing a small plug-in: hello world',
    body: `For anyone curious about the plug-in API, this is the smallest plug-in that loads:

\`\`\`js
export default {
  name: 'hello',
  run(image) {
    image.note('Hello from a plug-in');
    return image;
  },
};
\`\`\`

The API reference lives on the [Pixelsmith developer site](https://developers.pixelsmith.example/plugins).`,
    replies: [
      {
        author: 'lin-chen',
        body: 'Nice. Can a plug-in add a menu entry, or only run from the batch dialog?',
      },
    ],
  },
  {
    forum: 'marketplace-help',
    author: 'oskar',
    kind: 'question',
    title: 'Where do I find my download link again?',
    body: 'I bought a program last year and need to reinstall it on a new laptop. Where can I download it again?',
    replies: [
      {
        author: 'marta',
        body: 'Sign in on [plimus.com](https://www.plimus.com/) and open your order history: every purchase has its download link there. Please do not post your order number here; if the link does not work, contact support privately.',
      },
      { author: 'oskar', body: 'Found it, thank you!' },
    ],
  },
  {
    forum: 'off-topic',
    author: 'lin-chen',
    title: 'What are you working on this week?',
    body: 'I am editing photos from a wedding in the mountains. The light was *impossible*. You?',
    replies: [
      { author: 'tomasz', body: 'Migrating a small web shop to a new host. Wish me luck.' },
      { author: 'priya_s', body: 'Year-end closing for three clients. Coffee is involved.' },
      { author: 'devon_r', body: 'Testing restores. Backups you never restored are only hopes.' },
    ],
  },
];

/**
 * Fills an empty forum with demo content. Does nothing when any forum exists.
 * @returns whether it seeded
 */
export async function seedDemo(deps: AppDeps): Promise<boolean> {
  if ((await forumCount(deps)) > 0) return false;

  // Demo activity spreads over the past two weeks, oldest first, on a clock of its own.
  const end = deps.now();
  let clock = end - 14 * 24 * 3600_000;
  const tick = (minutes: number) => {
    clock = Math.min(end, clock + minutes * 60_000);
  };
  const seedDeps: AppDeps = { ...deps, now: () => clock };

  const people = new Map<string, number>();
  for (const p of PEOPLE) {
    const row = await createMember(seedDeps, p);
    people.set(p.username, row.id);
    tick(30);
  }

  const forumIds = new Map<string, number>();
  for (const v of DEMO_VENDORS) {
    const vendor = await ensureVendor(seedDeps, v);
    const product = await ensureProduct(seedDeps, { ...v.product, vendorId: vendor.id });
    const forum = await createForum(seedDeps, {
      slug: v.forum.slug,
      name: v.product.name,
      description: v.forum.description,
      category: 'products',
      productId: product.id,
    });
    forumIds.set(forum.slug, forum.id);
  }
  for (const f of GENERAL_FORUMS) {
    const forum = await createForum(seedDeps, f);
    forumIds.set(forum.slug, forum.id);
  }

  const person = (u: Person) => people.get(u) as number;
  for (const t of TOPICS) {
    tick(17 * 60);
    const created = await createTopic(seedDeps, {
      forumId: forumIds.get(t.forum) as number,
      authorId: person(t.author),
      title: t.title,
      body: t.body,
      kind: t.kind ?? 'discussion',
    });
    for (const r of t.replies) {
      tick(95);
      await createReply(seedDeps, {
        topicId: created.topicId,
        authorId: person(r.author),
        body: r.body,
      });
    }
  }
  return true;
}

/** A demo moderator and a demo administrator, who sign in with a password (development only). */
export const DEMO_STAFF: readonly Omit<DemoStaff, 'password'>[] = [
  { username: 'demo_moderator', role: 'moderator' },
  { username: 'demo_admin', role: 'admin' },
];

/**
 * A demo staff member's password, derived from the forum's secret (the development secret
 * beside the database): the same at every start, so that it can be printed at every start, and
 * known to nobody who does not have the secret.
 */
const demoPassword = (deps: AppDeps, username: string) =>
  deps.keys.sign('demo-password', username).slice(0, 20);

/**
 * Creates the demo moderator and administrator, with their passwords. Never in production.
 * @returns whether it created them (not when one of the names is taken)
 */
export async function seedDemoStaff(deps: AppDeps): Promise<boolean> {
  if (deps.config.nodeEnv === 'production') return false;
  for (const s of DEMO_STAFF) {
    const taken = await deps.db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.usernameKey, s.username))
      .get();
    if (taken) return false;
  }
  for (const s of DEMO_STAFF) {
    const row = await createMember(deps, {
      username: s.username,
      displayName: s.role === 'admin' ? 'Demo administrator' : 'Demo moderator',
      bio: 'A demo account of a development forum.',
    });
    await deps.db
      .update(users)
      .set({ role: s.role, passwordHash: await hashPassword(demoPassword(deps, s.username)) })
      .where(eq(users.id, row.id));
  }
  return true;
}

/**
 * The demo staff who still sign in with their demo password and have their role (a password
 * changed since, or another FORUM_SECRET, leaves one out). Never in production.
 */
export async function demoStaffSignIns(deps: AppDeps): Promise<DemoStaff[]> {
  if (deps.config.nodeEnv === 'production') return [];
  const found: DemoStaff[] = [];
  for (const s of DEMO_STAFF) {
    const row = await deps.db
      .select({ role: users.role, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.usernameKey, s.username))
      .get();
    const password = demoPassword(deps, s.username);
    if (
      row?.role === s.role &&
      row.passwordHash &&
      (await verifyPassword(row.passwordHash, password))
    ) {
      found.push({ ...s, password });
    }
  }
  return found;
}
