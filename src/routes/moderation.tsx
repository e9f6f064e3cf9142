/**
 * Reports and moderation: the report form, the moderation panels of posts, topics and members
 * (/mod/posts/:id, /mod/topics/:id, /mod/users/:username), the queue (/mod) and the log (/mod/log). Permissions are checked by the services (src/policy).
 */
import { type Context, Hono } from 'hono';
import { ModLogPage } from '../../views/pages/mod-log';
import { ModQueuePage } from '../../views/pages/mod-queue';
import { ModeratePostPage, ModerateTopicPage, ModerateUserPage } from '../../views/pages/moderate';
import { ReportPage, ReportSentPage } from '../../views/pages/report';
import type { AppEnv } from '../context';
import { BadRequestError } from '../errors';
import { requireModerator } from '../policy/moderation';
import {
  approveEdit,
  approvePost,
  heldPosts,
  rejectEdit,
  rejectPost,
  setHoldPosts,
  waitingEdits,
} from '../services/approval';
import {
  authorRecords,
  LOG_ACTIONS,
  listLog,
  memberForModeration,
  moveTopic,
  postForModeration,
  purgeMember,
  type RemovalReason,
  removePost,
  removeTopic,
  restorePost,
  restoreTopic,
  setTopicFlag,
  suspendMember,
  topicForModeration,
  unsuspendMember,
} from '../services/moderation';
import {
  PROMISED_BUSINESS_DAYS,
  postForReport,
  reportPost,
  reportQueue,
  resolveReport,
} from '../services/reports';
import { idParam } from '../validation/fields';
import { parseForm } from '../validation/forms';
import {
  logQuery,
  moveForm,
  noteForm,
  purgeForm,
  removeForm,
  reportForm,
  resolveForm,
  suspendForm,
} from '../validation/moderation-forms';
import { readForm } from './forms';
import { frameOf } from './frame';
import { submitForm } from './submit-form';

const DONE: Record<string, string> = {
  removed: 'The post was removed.',
  restored: 'Restored.',
  lock: 'The topic is locked.',
  unlock: 'The topic is unlocked.',
  pin: 'The topic is pinned.',
  unpin: 'The topic is unpinned.',
  moved: 'The topic was moved.',
  'topic-removed': 'The topic was removed.',
  suspended: 'The member is suspended.',
  unsuspended: 'The suspension was lifted.',
  purged: 'Every post of the account was removed as spam, and the account is suspended.',
  resolved: 'The report was resolved and the post removed.',
  approved: 'The post was approved and is now public.',
  rejected: 'The post was refused and removed.',
  'edit-approved': 'The edit was approved: the post now reads as edited.',
  'edit-rejected': 'The edit was refused: the post keeps its published text.',
  held: 'New posts by this member now wait for approval.',
  released: 'New posts by this member are published at once again.',
  dismissed: 'The report was dismissed.',
};

/**
 * The reason and note of a moderator refusing what waits for approval (`reason` defaults to
 * `fallback`). Who asks is checked before what they sent.
 * @throws ForbiddenError, BadRequestError
 */
async function refusal(c: Context<AppEnv>, fallback: RemovalReason) {
  requireModerator(c.get('viewer'), c.get('deps').now());
  const parsed = parseForm(removeForm, { reason: fallback, ...(await readForm(c)) });
  if (!parsed.ok)
    throw new BadRequestError(parsed.errors.reason ?? parsed.errors.note ?? 'Choose a reason.');
  return parsed.data;
}

const doneNotice = (c: Context<AppEnv>) => DONE[c.req.query('done') ?? ''];

/** The note of an action whose note may be left out: a note that is not valid is left out too. */
async function optionalNote(c: Context<AppEnv>): Promise<string> {
  const parsed = parseForm(noteForm, await readForm(c));
  return parsed.ok ? parsed.data.note : '';
}

/** The queue's reports, held posts and waiting edits, with their authors' records. */
async function queue(c: Context<AppEnv>) {
  const deps = c.get('deps');
  const viewer = c.get('viewer');
  const items = await reportQueue(deps, viewer);
  const held = await heldPosts(deps, viewer);
  const edits = await waitingEdits(deps, viewer);
  const authors = await authorRecords(deps, viewer, [
    ...items.map((i) => i.post.authorId),
    ...held.map((p) => p.authorId),
    ...edits.map((e) => e.authorId),
  ]);
  return {
    frame: frameOf(c),
    items,
    held,
    edits,
    authors,
    promise: PROMISED_BUSINESS_DAYS,
    now: deps.now(),
  };
}

export const moderationRoutes = new Hono<AppEnv>()
  // Reports
  .get('/posts/:id/report', async (c) => {
    const { post, topic } = await postForReport(
      c.get('deps'),
      c.get('viewer'),
      idParam(c.req.param('id')),
    );
    return c.html(
      <ReportPage frame={frameOf(c)} post={post} topic={topic} values={{}} errors={{}} />,
    );
  })
  .post('/posts/:id/report', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    const { post, topic } = await postForReport(deps, c.get('viewer'), id);
    return submitForm(
      c,
      reportForm,
      (values, errors) => (
        <ReportPage frame={frameOf(c)} post={post} topic={topic} values={values} errors={errors} />
      ),
      (d) => reportPost(deps, c.get('viewer'), id, d),
      () => c.html(<ReportSentPage frame={frameOf(c)} postId={id} />),
    );
  })

  // Posts
  .get('/mod/posts/:id', async (c) => {
    const found = await postForModeration(
      c.get('deps'),
      c.get('viewer'),
      idParam(c.req.param('id')),
    );
    return c.html(
      <ModeratePostPage
        frame={frameOf(c)}
        notice={doneNotice(c)}
        {...found}
        values={{}}
        errors={{}}
        now={c.get('deps').now()}
      />,
    );
  })
  .post('/posts/:id/remove', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    const found = await postForModeration(deps, c.get('viewer'), id);
    return submitForm(
      c,
      removeForm,
      (values, errors) => (
        <ModeratePostPage
          frame={frameOf(c)}
          {...found}
          values={values}
          errors={errors}
          now={deps.now()}
        />
      ),
      (d) => removePost(deps, c.get('viewer'), id, d),
      `/mod/posts/${id}?done=removed`,
    );
  })
  .post('/posts/:id/restore', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    const found = await postForModeration(deps, c.get('viewer'), id);
    return submitForm(
      c,
      noteForm,
      (values, errors) => (
        <ModeratePostPage
          frame={frameOf(c)}
          {...found}
          values={values}
          errors={errors}
          now={deps.now()}
        />
      ),
      (d) => restorePost(deps, c.get('viewer'), id, d.note),
      `/mod/posts/${id}?done=restored`,
    );
  })

  // Topics
  .get('/mod/topics/:id', async (c) => {
    const found = await topicForModeration(
      c.get('deps'),
      c.get('viewer'),
      idParam(c.req.param('id')),
    );
    return c.html(
      <ModerateTopicPage
        frame={frameOf(c)}
        notice={doneNotice(c)}
        {...found}
        values={{}}
        errors={{}}
      />,
    );
  })
  .post('/t/:id/:change{lock|unlock|pin|unpin}', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    const change = c.req.param('change') as 'lock' | 'unlock' | 'pin' | 'unpin';
    await setTopicFlag(deps, c.get('viewer'), id, change, await optionalNote(c));
    return c.redirect(`/mod/topics/${id}?done=${change}`, 303);
  })
  .post('/t/:id/:action{move|remove}', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    const found = await topicForModeration(deps, c.get('viewer'), id);
    const page = (values: Record<string, string>, errors: Record<string, string>) => (
      <ModerateTopicPage frame={frameOf(c)} {...found} values={values} errors={errors} />
    );
    return c.req.param('action') === 'move'
      ? submitForm(
          c,
          moveForm,
          page,
          (d) => moveTopic(deps, c.get('viewer'), id, d.forum),
          `/mod/topics/${id}?done=moved`,
        )
      : submitForm(
          c,
          removeForm,
          page,
          (d) => removeTopic(deps, c.get('viewer'), id, d),
          `/mod/topics/${id}?done=topic-removed`,
        );
  })
  .post('/t/:id/restore', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    await topicForModeration(deps, c.get('viewer'), id);
    await restoreTopic(deps, c.get('viewer'), id, await optionalNote(c));
    return c.redirect(`/mod/topics/${id}?done=restored`, 303);
  })

  // Members
  .get('/mod/users/:username', async (c) => {
    const found = await memberForModeration(
      c.get('deps'),
      c.get('viewer'),
      c.req.param('username'),
    );
    return c.html(
      <ModerateUserPage
        frame={frameOf(c)}
        notice={doneNotice(c)}
        {...found}
        values={{}}
        errors={{}}
        now={c.get('deps').now()}
      />,
    );
  })
  .post('/u/:username/suspend', async (c) => {
    const deps = c.get('deps');
    const username = c.req.param('username');
    const found = await memberForModeration(deps, c.get('viewer'), username);
    return submitForm(
      c,
      suspendForm,
      (values, errors) => (
        <ModerateUserPage
          frame={frameOf(c)}
          {...found}
          form="suspend"
          values={values}
          errors={errors}
          now={deps.now()}
        />
      ),
      (d) => suspendMember(deps, c.get('viewer'), username, d),
      `/mod/users/${found.member.username}?done=suspended`,
    );
  })
  .post('/u/:username/purge', async (c) => {
    const deps = c.get('deps');
    const username = c.req.param('username');
    const found = await memberForModeration(deps, c.get('viewer'), username);
    return submitForm(
      c,
      purgeForm,
      (values, errors) => (
        <ModerateUserPage
          frame={frameOf(c)}
          {...found}
          form="purge"
          values={values}
          errors={errors}
          now={deps.now()}
        />
      ),
      (d) => purgeMember(deps, c.get('viewer'), username, d),
      `/mod/users/${found.member.username}?done=purged`,
    );
  })
  .post('/u/:username/unsuspend', async (c) => {
    const deps = c.get('deps');
    const username = c.req.param('username');
    const found = await memberForModeration(deps, c.get('viewer'), username);
    await unsuspendMember(deps, c.get('viewer'), username, await optionalNote(c));
    return c.redirect(`/mod/users/${found.member.username}?done=unsuspended`, 303);
  })

  // Held posts, and edits waiting for approval
  .post('/posts/:id/approve', async (c) => {
    await approvePost(c.get('deps'), c.get('viewer'), idParam(c.req.param('id')));
    return c.redirect('/mod?done=approved', 303);
  })
  .post('/posts/:id/reject', async (c) => {
    const input = await refusal(c, 'spam');
    await rejectPost(c.get('deps'), c.get('viewer'), idParam(c.req.param('id')), input);
    return c.redirect('/mod?done=rejected', 303);
  })
  .post('/edits/:id/approve', async (c) => {
    await approveEdit(c.get('deps'), c.get('viewer'), idParam(c.req.param('id')));
    return c.redirect('/mod?done=edit-approved', 303);
  })
  .post('/edits/:id/reject', async (c) => {
    const input = await refusal(c, 'other');
    await rejectEdit(c.get('deps'), c.get('viewer'), idParam(c.req.param('id')), input);
    return c.redirect('/mod?done=edit-rejected', 303);
  })
  .post('/u/:username/:change{hold-posts|release-posts}', async (c) => {
    const deps = c.get('deps');
    const username = c.req.param('username');
    const { member } = await memberForModeration(deps, c.get('viewer'), username);
    const hold = c.req.param('change') === 'hold-posts';
    await setHoldPosts(deps, c.get('viewer'), username, hold, await optionalNote(c));
    return c.redirect(`/mod/users/${member.username}?done=${hold ? 'held' : 'released'}`, 303);
  })

  // The queue and the log
  .get('/mod', async (c) => c.html(<ModQueuePage {...(await queue(c))} notice={doneNotice(c)} />))
  .post('/mod/reports/:id/resolve', async (c) => {
    const deps = c.get('deps');
    const input = await readForm(c);
    const parsed = parseForm(resolveForm, input);
    if (!parsed.ok) {
      return c.html(<ModQueuePage {...(await queue(c))} notice={parsed.errors.action} />, 422);
    }
    await resolveReport(deps, c.get('viewer'), idParam(c.req.param('id')), parsed.data);
    return c.redirect(
      `/mod?done=${parsed.data.action === 'remove' ? 'resolved' : 'dismissed'}`,
      303,
    );
  })
  .get('/mod/log', async (c) => {
    const deps = c.get('deps');
    const raw = c.req.query();
    const filter = { moderator: raw.moderator, action: raw.action, target: raw.target };
    const parsed = logQuery.safeParse(raw);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
      // The log itself still shows, unfiltered, under the corrected form.
      const { entries } = await listLog(deps, c.get('viewer'), {});
      return c.html(
        <ModLogPage
          frame={frameOf(c)}
          entries={entries}
          filter={filter}
          actions={LOG_ACTIONS}
          olderHref={null}
          errors={errors}
        />,
        400,
      );
    }
    const q = parsed.data;
    const { entries, more } = await listLog(deps, c.get('viewer'), q, q.before);
    const last = entries[entries.length - 1];
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({
      moderator: q.moderator,
      action: q.action,
      target: q.target,
    }))
      if (v) params.set(k, v);
    if (last) params.set('before', String(last.id));
    return c.html(
      <ModLogPage
        frame={frameOf(c)}
        entries={entries}
        filter={q}
        actions={LOG_ACTIONS}
        olderHref={more ? `/mod/log?${params}` : null}
        errors={{}}
      />,
    );
  });
