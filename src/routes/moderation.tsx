/**
 * Reports and moderation: the report form, the moderation panels of posts, topics and members
 * (/mod/posts/:id, /mod/topics/:id, /mod/users/:username), the queue (/mod) and the log (/mod/log). Permissions are checked by the services (src/policy).
 */
import { type Context, Hono } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { z } from 'zod';
import { ModLogPage } from '../../views/pages/mod-log';
import { ModQueuePage } from '../../views/pages/mod-queue';
import { ModeratePostPage, ModerateTopicPage, ModerateUserPage } from '../../views/pages/moderate';
import { ReportPage, ReportSentPage } from '../../views/pages/report';
import type { AppEnv } from '../context';
import { BadRequestError, FormError } from '../errors';
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
  LOG_ACTIONS,
  listLog,
  memberForModeration,
  moveTopic,
  postForModeration,
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
  removeForm,
  reportForm,
  resolveForm,
  suspendForm,
} from '../validation/moderation-forms';
import { readForm, retryAfter } from './forms';
import { frameOf } from './frame';

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

/**
 * Submits a moderation panel's form: the panel back with the messages when the form is not valid
 * (422) or the action refuses it, otherwise the action and a redirect to `done`.
 */
async function submitPanel<T>(
  c: Context<AppEnv>,
  schema: z.ZodType<T>,
  page: (values: Record<string, string>, errors: Record<string, string>) => JSX.Element,
  act: (data: T) => Promise<unknown>,
  done: string,
) {
  const input = await readForm(c);
  const parsed = parseForm(schema, input);
  if (!parsed.ok) return c.html(page(input, parsed.errors), 422);
  try {
    await act(parsed.data);
  } catch (err) {
    if (!(err instanceof FormError)) throw err;
    return c.html(page(input, err.fields), err.status);
  }
  return c.redirect(done, 303);
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
    const input = await readForm(c);
    const page = (errors: Record<string, string>) => (
      <ReportPage frame={frameOf(c)} post={post} topic={topic} values={input} errors={errors} />
    );
    const parsed = parseForm(reportForm, input);
    if (!parsed.ok) return c.html(page(parsed.errors), 422);
    try {
      await reportPost(deps, c.get('viewer'), id, parsed.data);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      retryAfter(c, err);
      return c.html(page(err.fields), err.status);
    }
    return c.html(<ReportSentPage frame={frameOf(c)} postId={id} />);
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
      />,
    );
  })
  .post('/posts/:id/remove', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    const found = await postForModeration(deps, c.get('viewer'), id);
    return submitPanel(
      c,
      removeForm,
      (values, errors) => (
        <ModeratePostPage frame={frameOf(c)} {...found} values={values} errors={errors} />
      ),
      (d) => removePost(deps, c.get('viewer'), id, d),
      `/mod/posts/${id}?done=removed`,
    );
  })
  .post('/posts/:id/restore', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    const found = await postForModeration(deps, c.get('viewer'), id);
    return submitPanel(
      c,
      noteForm,
      (values, errors) => (
        <ModeratePostPage frame={frameOf(c)} {...found} values={values} errors={errors} />
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
    const parsed = parseForm(noteForm, await readForm(c));
    await setTopicFlag(deps, c.get('viewer'), id, change, parsed.ok ? parsed.data.note : '');
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
      ? submitPanel(
          c,
          moveForm,
          page,
          (d) => moveTopic(deps, c.get('viewer'), id, d.forum),
          `/mod/topics/${id}?done=moved`,
        )
      : submitPanel(
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
    const parsed = parseForm(noteForm, await readForm(c));
    await restoreTopic(deps, c.get('viewer'), id, parsed.ok ? parsed.data.note : '');
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
      />,
    );
  })
  .post('/u/:username/suspend', async (c) => {
    const deps = c.get('deps');
    const username = c.req.param('username');
    const found = await memberForModeration(deps, c.get('viewer'), username);
    return submitPanel(
      c,
      suspendForm,
      (values, errors) => (
        <ModerateUserPage frame={frameOf(c)} {...found} values={values} errors={errors} />
      ),
      (d) => suspendMember(deps, c.get('viewer'), username, d),
      `/mod/users/${found.member.username}?done=suspended`,
    );
  })
  .post('/u/:username/unsuspend', async (c) => {
    const deps = c.get('deps');
    const username = c.req.param('username');
    const found = await memberForModeration(deps, c.get('viewer'), username);
    const parsed = parseForm(noteForm, await readForm(c));
    await unsuspendMember(deps, c.get('viewer'), username, parsed.ok ? parsed.data.note : '');
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
    const parsed = parseForm(noteForm, await readForm(c));
    await setHoldPosts(deps, c.get('viewer'), username, hold, parsed.ok ? parsed.data.note : '');
    return c.redirect(`/mod/users/${member.username}?done=${hold ? 'held' : 'released'}`, 303);
  })

  // The queue and the log
  .get('/mod', async (c) => {
    const deps = c.get('deps');
    const items = await reportQueue(deps, c.get('viewer'));
    return c.html(
      <ModQueuePage
        frame={frameOf(c)}
        held={await heldPosts(deps, c.get('viewer'))}
        edits={await waitingEdits(deps, c.get('viewer'))}
        items={items}
        notice={doneNotice(c)}
        promise={PROMISED_BUSINESS_DAYS}
      />,
    );
  })
  .post('/mod/reports/:id/resolve', async (c) => {
    const deps = c.get('deps');
    const input = await readForm(c);
    const parsed = parseForm(resolveForm, input);
    if (!parsed.ok) {
      const items = await reportQueue(deps, c.get('viewer'));
      return c.html(
        <ModQueuePage
          frame={frameOf(c)}
          held={await heldPosts(deps, c.get('viewer'))}
          edits={await waitingEdits(deps, c.get('viewer'))}
          items={items}
          notice={parsed.errors.action}
          promise={PROMISED_BUSINESS_DAYS}
        />,
        422,
      );
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
