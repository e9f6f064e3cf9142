/**
 * /admin, for administrators: forums, roles and watched words. Every route checks the viewer
 * first, so that nobody else learns anything from how their input would have been judged. A
 * change comes back to its page with ?done=<what>, which shows a notice.
 */
import { type Context, Hono } from 'hono';
import { EditForumPage } from '../../views/pages/admin/edit-forum';
import type { ForumValues } from '../../views/pages/admin/forum-fields';
import { AdminForumsPage } from '../../views/pages/admin/forums';
import { AdminMailPage } from '../../views/pages/admin/mail';
import { NewForumPage } from '../../views/pages/admin/new-forum';
import { RolesPage } from '../../views/pages/admin/roles';
import { WatchedWordsPage } from '../../views/pages/admin/watched-words';
import type { AppEnv, Viewer } from '../context';
import { BadRequestError, FormError, NotFoundError } from '../errors';
import { canChangeRole } from '../policy/admin';
import { requireAdmin } from '../policy/moderation';
import {
  addWatchedWord,
  changeRole,
  createForumAsAdmin,
  findMember,
  getForumForAdmin,
  listForumsForAdmin,
  listStaff,
  listWatchedWords,
  moveForum,
  removeWatchedWord,
  searchMembers,
  setAnnouncementForum,
  setForumArchived,
  tieForum,
  untieForum,
  updateForum,
} from '../services/admin';
import { mailOverview, mailPrivacyChange } from '../services/mailings';
import {
  announcementForumForm,
  createForumForm,
  editForumForm,
  findMemberQuery,
  moveForumForm,
  roleForm,
  tieForumForm,
  watchedWordForm,
} from '../validation/admin-forms';
import { idParam, parseQuery } from '../validation/fields';
import { parseForm } from '../validation/forms';
import { readForm } from './forms';
import { frameOf } from './frame';

/** The signed-in administrator, or a 403 that says what is missing. */
function admin(c: Context<AppEnv>): Viewer {
  const viewer = c.get('viewer');
  requireAdmin(viewer, c.get('deps').now());
  return viewer;
}

const NOTICES: Record<string, string> = {
  created: 'The forum was created.',
  saved: 'The forum was saved.',
  unchanged: 'Nothing was changed.',
  moved: 'The forum was moved.',
  tied: 'The forum is now the forum of that product.',
  untied: 'The forum is no longer tied to a product.',
  archived: 'The forum is archived: it is read-only now.',
  'announcements-on':
    'This is an announcement forum now: administrators can email their new topics here to subscribers.',
  'announcements-off': 'This is no longer an announcement forum.',
  unarchived: 'The forum is open again.',
  role: 'The role was changed.',
  'word-added': 'The word was added to the list.',
  'word-removed': 'The word was removed from the list.',
  'privacy-mailed': 'The notice of the privacy notice\u2019s change is on its way.',
  'privacy-unchanged':
    'Every member with an address has had the notice of this version already: nobody was emailed.',
};

const notice = (c: Context<AppEnv>) => NOTICES[c.req.query('done') ?? ''];
const done = (changed: boolean, what: string) => (changed ? what : 'unchanged');

const forumValues = (input: Record<string, string>): ForumValues => ({
  slug: input.slug ?? '',
  name: input.name ?? '',
  description: input.description ?? '',
  category: input.category ?? '',
  vendor_id: input.vendor_id ?? '',
  vendor_name: input.vendor_name ?? '',
  product_id: input.product_id ?? '',
  product_name: input.product_name ?? '',
});

/** The values of one form of the edit page (the other forms show what is stored). */
const pick = (values: ForumValues, keys: (keyof ForumValues)[]): ForumValues =>
  Object.fromEntries(keys.map((k) => [k, values[k]]));

export const adminRoutes = new Hono<AppEnv>()
  .get('/admin', async (c) => {
    const viewer = admin(c);
    const forums = await listForumsForAdmin(c.get('deps'), viewer);
    return c.html(<AdminForumsPage frame={frameOf(c)} forums={forums} notice={notice(c)} />);
  })
  .get('/admin/forums/new', (c) => {
    admin(c);
    return c.html(<NewForumPage frame={frameOf(c)} values={{}} errors={{}} />);
  })
  .post('/admin/forums', async (c) => {
    const viewer = admin(c);
    const input = await readForm(c);
    const page = (errors: Record<string, string>) => (
      <NewForumPage frame={frameOf(c)} values={forumValues(input)} errors={errors} />
    );
    const parsed = parseForm(createForumForm, input);
    if (!parsed.ok) return c.html(page(parsed.errors), 422);
    try {
      const forum = await createForumAsAdmin(c.get('deps'), viewer, parsed.data);
      return c.redirect(`/admin/forums/${forum.id}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return c.html(page(err.fields), err.status);
    }
  })
  .get('/admin/forums/:id', async (c) => {
    const viewer = admin(c);
    const forum = await getForumForAdmin(c.get('deps'), viewer, idParam(c.req.param('id')));
    return c.html(
      <EditForumPage frame={frameOf(c)} forum={forum} notice={notice(c)} errors={{}} />,
    );
  })
  .post('/admin/forums/:id', async (c) => {
    const deps = c.get('deps');
    const viewer = admin(c);
    const forum = await getForumForAdmin(deps, viewer, idParam(c.req.param('id')));
    const input = await readForm(c);
    const parsed = parseForm(editForumForm, input);
    if (!parsed.ok) {
      const values = pick(forumValues(input), ['name', 'description', 'category']);
      return c.html(
        <EditForumPage frame={frameOf(c)} forum={forum} errors={parsed.errors} values={values} />,
        422,
      );
    }
    const changed = await updateForum(deps, viewer, forum.id, parsed.data);
    return c.redirect(`/admin/forums/${forum.id}?done=${done(changed, 'saved')}`, 303);
  })
  .post('/admin/forums/:id/move', async (c) => {
    const deps = c.get('deps');
    const viewer = admin(c);
    const forum = await getForumForAdmin(deps, viewer, idParam(c.req.param('id')));
    const parsed = parseForm(moveForumForm, await readForm(c));
    // Only a hand-made request sends anything but the buttons' up or down.
    if (!parsed.ok) throw new BadRequestError(parsed.errors.direction ?? 'Move up or down.');
    const moved = await moveForum(deps, viewer, forum.id, parsed.data.direction);
    return c.redirect(`/admin?done=${done(moved, 'moved')}#category-${forum.category}`, 303);
  })
  .post('/admin/forums/:id/product', async (c) => {
    const deps = c.get('deps');
    const viewer = admin(c);
    const forum = await getForumForAdmin(deps, viewer, idParam(c.req.param('id')));
    const input = await readForm(c);
    const page = (errors: Record<string, string>) => (
      <EditForumPage
        frame={frameOf(c)}
        forum={forum}
        errors={errors}
        values={pick(forumValues(input), [
          'vendor_id',
          'vendor_name',
          'product_id',
          'product_name',
        ])}
      />
    );
    const parsed = parseForm(tieForumForm, input);
    if (!parsed.ok) return c.html(page(parsed.errors), 422);
    try {
      const changed = await tieForum(deps, viewer, forum.id, parsed.data.product);
      return c.redirect(`/admin/forums/${forum.id}?done=${done(changed, 'tied')}`, 303);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return c.html(page(err.fields), err.status);
    }
  })
  .post('/admin/forums/:id/product/remove', async (c) => {
    const viewer = admin(c);
    const id = idParam(c.req.param('id'));
    const changed = await untieForum(c.get('deps'), viewer, id);
    return c.redirect(`/admin/forums/${id}?done=${done(changed, 'untied')}`, 303);
  })
  .post('/admin/forums/:id/announcements', async (c) => {
    const viewer = admin(c);
    const id = idParam(c.req.param('id'));
    const parsed = parseForm(announcementForumForm, await readForm(c));
    // A checkbox is there or not: nothing a person sends can fail this form.
    const on = parsed.ok && parsed.data.announcements;
    const changed = await setAnnouncementForum(c.get('deps'), viewer, id, on);
    return c.redirect(
      `/admin/forums/${id}?done=${done(changed, on ? 'announcements-on' : 'announcements-off')}`,
      303,
    );
  })
  .post('/admin/forums/:id/archive', async (c) => {
    const viewer = admin(c);
    const id = idParam(c.req.param('id'));
    const changed = await setForumArchived(c.get('deps'), viewer, id, true);
    return c.redirect(`/admin/forums/${id}?done=${done(changed, 'archived')}`, 303);
  })
  .post('/admin/forums/:id/unarchive', async (c) => {
    const viewer = admin(c);
    const id = idParam(c.req.param('id'));
    const changed = await setForumArchived(c.get('deps'), viewer, id, false);
    return c.redirect(`/admin/forums/${id}?done=${done(changed, 'unarchived')}`, 303);
  })
  .get('/admin/roles', async (c) => {
    const viewer = admin(c);
    const deps = c.get('deps');
    const q = parseQuery(findMemberQuery, c.req.query());
    const member = q.username ? await findMember(deps, viewer, q.username) : null;
    return c.html(
      <RolesPage
        frame={frameOf(c)}
        notice={notice(c)}
        username={q.username}
        member={member}
        matches={await searchMembers(deps, viewer, q.username)}
        staff={await listStaff(deps, viewer)}
        canChange={!!member && canChangeRole(viewer, member, 'member', c.get('deps').now())}
        errors={{}}
      />,
    );
  })
  .post('/admin/roles/:username', async (c) => {
    const deps = c.get('deps');
    const viewer = admin(c);
    const member = await findMember(deps, viewer, c.req.param('username'));
    if (!member) throw new NotFoundError('There is no member with this username.');
    const input = await readForm(c);
    const parsed = parseForm(roleForm, input);
    if (!parsed.ok) {
      return c.html(
        <RolesPage
          frame={frameOf(c)}
          username={member.username}
          member={member}
          matches={[]}
          staff={await listStaff(deps, viewer)}
          canChange={canChangeRole(viewer, member, 'member', c.get('deps').now())}
          role={input.role}
          errors={parsed.errors}
        />,
        422,
      );
    }
    await changeRole(deps, viewer, member.username, parsed.data.role);
    return c.redirect(
      `/admin/roles?username=${encodeURIComponent(member.username)}&done=role`,
      303,
    );
  })
  .get('/admin/watched-words', async (c) => {
    const viewer = admin(c);
    const words = await listWatchedWords(c.get('deps'), viewer);
    return c.html(
      <WatchedWordsPage
        frame={frameOf(c)}
        notice={notice(c)}
        words={words}
        values={{}}
        errors={{}}
      />,
    );
  })
  .post('/admin/watched-words', async (c) => {
    const deps = c.get('deps');
    const viewer = admin(c);
    const input = await readForm(c);
    const page = async (errors: Record<string, string>) => (
      <WatchedWordsPage
        frame={frameOf(c)}
        words={await listWatchedWords(deps, viewer)}
        values={{ word: input.word ?? '', action: input.action ?? '' }}
        errors={errors}
      />
    );
    const parsed = parseForm(watchedWordForm, input);
    if (!parsed.ok) return c.html(await page(parsed.errors), 422);
    try {
      await addWatchedWord(deps, viewer, parsed.data);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return c.html(await page(err.fields), err.status);
    }
    return c.redirect('/admin/watched-words?done=word-added', 303);
  })
  .get('/admin/mail', async (c) => {
    const viewer = admin(c);
    const overview = await mailOverview(c.get('deps'), viewer);
    return c.html(<AdminMailPage frame={frameOf(c)} overview={overview} notice={notice(c)} />);
  })
  .post('/admin/mail/privacy-notice', async (c) => {
    const viewer = admin(c);
    const outcome = await mailPrivacyChange(c.get('deps'), viewer);
    return c.redirect(
      `/admin/mail?done=${outcome.queued > 0 ? 'privacy-mailed' : 'privacy-unchanged'}`,
      303,
    );
  })
  .post('/admin/watched-words/:id/remove', async (c) => {
    const viewer = admin(c);
    await removeWatchedWord(c.get('deps'), viewer, idParam(c.req.param('id')));
    return c.redirect('/admin/watched-words?done=word-removed', 303);
  });
