/** Deleting one's own account: the confirmation step, and the page after it. */
import type { Confirmation } from '../../src/policy/account';
import type { DeletionPreview } from '../../src/services/account-deletion';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';
import { REAUTHENTICATE_HREF } from './account';

export type DeleteAccountPageProps = {
  frame: Frame;
  username: string;
  preview: DeletionPreview;
  confirmation: Confirmation;
  plimusAvailable: boolean;
  errors: FieldErrors;
  /** the choice sent with a form that came back */
  keepPosts?: boolean | undefined;
};

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function DeleteAccountPage(p: DeleteAccountPageProps) {
  const { preview } = p;
  return (
    <Layout frame={p.frame} title="Delete your account" noindex>
      <h1>Delete your account</h1>
      <ErrorSummary errors={p.errors} labels={{ keep_posts: 'Your posts', password: 'Password' }} />
      <p class="lede">
        This deletes the account <strong>{p.username}</strong> at once. It cannot be undone. You may
        want to <a href="/account/export">download your data</a> first.
      </p>

      <h2>What is removed at once</h2>
      <ul>
        <li>
          Your account: username, display name, bio, email address, password, the dates you
          confirmed your age and that posts are public, and your preferences.
        </li>
        <li>Every session: you are signed out everywhere.</li>
        <li>The link to your Plimus identity and the purchases on record with it.</li>
        <li>Any email address waiting for confirmation.</li>
        <li>
          Your name and your notes on the reports you filed. The reports stay with the moderators,
          since they are about other people's posts.
        </li>
        <li>
          Actions you took as a moderator stay in the moderation log, without your name. What
          moderators did about your account stays in it too, about “deleted user”, without the
          reasons and notes they wrote.
        </li>
      </ul>
      {preview.heldUntil ? (
        <p class="notice">
          Your account is suspended. Deleting it does not end the suspension: before{' '}
          <Time date={preview.heldUntil} dateOnly />, nobody can join again with your email address
          or your username. Until then the forum keeps a keyed hash of each (a value from which they
          cannot be read back), and nothing else.
        </p>
      ) : null}
      <p>
        Your username becomes free{preview.heldUntil ? ' when the suspension ends' : ''}, and
        someone else may choose it later. Copies that others made, such as quotes of your posts in
        their replies, are theirs and stay.
      </p>

      <h2>Your posts</h2>
      <p>
        You wrote {plural(preview.posts, 'post', 'posts')} and started{' '}
        {plural(preview.topicsStarted, 'topic', 'topics')}. You choose what happens to them:
      </p>
      <ul>
        <li>
          <strong>Keep them:</strong> they stay where they are, with their text and earlier
          versions, shown as by “deleted user” with no link to a profile.
        </li>
        <li>
          <strong>Remove them too:</strong> their text and earlier versions are erased and they
          leave the search. Each keeps its place in its topic as a deleted post, so that replies to
          it still make sense. Topics you started that nobody else posted in disappear.{' '}
          {preview.topicsWithReplies > 0
            ? `${plural(preview.topicsWithReplies, 'topic you started has', 'topics you started have')} replies from others: ${preview.topicsWithReplies === 1 ? 'it stays' : 'they stay'}, with ${preview.topicsWithReplies === 1 ? 'its' : 'their'} title, by “deleted user”.`
            : 'Topics you started that others replied to would stay, with their title, by “deleted user”.'}
        </li>
      </ul>

      {p.confirmation === 'sign-in-needed' ? (
        <>
          <SignInAgain plimusAvailable={p.plimusAvailable} />
          <p>
            <a href="/account">Keep my account</a>
          </p>
        </>
      ) : (
        <form method="post" action="/account/delete" class="form" novalidate>
          <fieldset class={p.errors.keep_posts ? 'field field-error' : 'field'} id="keep_posts">
            <legend>What happens to your posts</legend>
            {p.errors.keep_posts ? <p class="error-message">{p.errors.keep_posts}</p> : null}
            <div class="radio">
              <input
                type="radio"
                id="keep_posts-true"
                name="keep_posts"
                value="true"
                checked={p.keepPosts === true}
              />
              <label for="keep_posts-true">Keep my posts, by “deleted user”</label>
            </div>
            <div class="radio">
              <input
                type="radio"
                id="keep_posts-false"
                name="keep_posts"
                value="false"
                checked={p.keepPosts === false}
              />
              <label for="keep_posts-false">Remove my posts too</label>
            </div>
          </fieldset>
          {p.confirmation === 'password' ? (
            <Field
              name="password"
              label="Your password"
              type="password"
              error={p.errors.password}
              hint="To make sure it is you."
              autocomplete="current-password"
              required
            />
          ) : (
            <p class="notice">
              You confirmed that it is you by signing in with Plimus a moment ago. This confirmation
              lasts 10 minutes.
            </p>
          )}
          <div class="buttons">
            <button type="submit" class="button-danger">
              Delete my account
            </button>
            <a class="button button-secondary" href="/account">
              Keep my account
            </a>
          </div>
        </form>
      )}
    </Layout>
  );
}

/** An account without a password confirms a deletion with a fresh Plimus sign-in. */
function SignInAgain({ plimusAvailable }: { plimusAvailable: boolean }) {
  return (
    <div class="notice">
      <p>
        Your account has no password, so we ask you to confirm that it is you by signing in with
        Plimus again. You come back to your account page, and can delete your account within 10
        minutes.
      </p>
      {plimusAvailable ? (
        <p>
          <a href={REAUTHENTICATE_HREF}>Confirm with Plimus</a>
        </p>
      ) : (
        <p>
          Signing in with Plimus is not available on this forum right now; please write to{' '}
          <a href="mailto:security@plimus.com">security@plimus.com</a> to have your account deleted.
        </p>
      )}
    </div>
  );
}

export function AccountDeletedPage({
  frame,
  postsKept,
}: {
  frame: Frame;
  postsKept: boolean | undefined;
}) {
  return (
    <Layout frame={frame} title="Your account was deleted" noindex>
      <h1>Your account was deleted</h1>
      <p>
        Your account and the personal data that went with it are gone from the forums' database, and
        you are signed out everywhere.
      </p>
      {postsKept === true ? (
        <p>Your posts stay, shown as by “deleted user”.</p>
      ) : postsKept === false ? (
        <p>Your posts were erased; topics you started that others replied to keep their title.</p>
      ) : null}
      <p>
        <a href="/">Back to the forums</a>
      </p>
    </Layout>
  );
}
