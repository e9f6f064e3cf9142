/** /admin/watched-words: the words that block or hold a post. */
import type { WatchedWordRow } from '../../../src/services/admin';
import { MAX_WATCHED_WORD } from '../../../src/validation/admin-forms';
import { Radios } from '../../components/choice';
import { ErrorSummary, Field, type FieldErrors } from '../../components/form';
import { Time } from '../../components/time';
import type { Frame } from '../../layouts/site';
import { AdminSectionPage } from './parts';

export type WatchedWordsPageProps = {
  frame: Frame;
  notice?: string | undefined;
  words: WatchedWordRow[];
  values: { word?: string; action?: string };
  errors: FieldErrors;
};

export function WatchedWordsPage(p: WatchedWordsPageProps) {
  return (
    <AdminSectionPage frame={p.frame} section="watched-words" notice={p.notice}>
      <section class="admin-section" aria-labelledby="words-title">
        <h2 id="words-title">Watched words</h2>
        <p>
          A post that contains a watched word or phrase is either blocked (the author is told why
          and can change it) or held until a moderator approves it. Words match whole, without
          regard to case; the words of a phrase match across any spacing.
        </p>
        {p.words.length === 0 ? (
          <p class="muted">The list is empty.</p>
        ) : (
          <table class="admin-words">
            <thead>
              <tr>
                <th scope="col">Word or phrase</th>
                <th scope="col">A post with it is</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span class="admin-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.words.map((w) => (
                <tr>
                  <td>{w.word}</td>
                  <td>{w.action === 'block' ? 'blocked' : 'held for approval'}</td>
                  <td>
                    <Time date={w.createdAt} dateOnly />
                  </td>
                  <td>
                    <form
                      method="post"
                      action={`/admin/watched-words/${w.id}/remove`}
                      class="inline-form"
                    >
                      <button
                        type="submit"
                        class="button-secondary"
                        aria-label={`Remove: ${w.word}`}
                      >
                        Remove
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="admin-section" aria-labelledby="add-word-title">
        <h2 id="add-word-title">Add a word or phrase</h2>
        <form method="post" action="/admin/watched-words" class="form" novalidate>
          <ErrorSummary errors={p.errors} labels={{ word: 'Word or phrase', action: 'Action' }} />
          <Field
            name="word"
            label="Word or phrase"
            value={p.values.word}
            error={p.errors.word}
            hint={`1 to ${MAX_WATCHED_WORD} characters, with at least one letter or digit.`}
            required
            maxlength={MAX_WATCHED_WORD}
          />
          <Radios
            name="action"
            legend="A post that contains it is"
            value={p.values.action}
            error={p.errors.action}
            options={[
              {
                value: 'block',
                label: 'Blocked',
                hint: 'The author gets the post back with a message.',
              },
              {
                value: 'hold',
                label: 'Held for approval',
                hint: 'Only its author and moderators see it until a moderator approves it.',
              },
            ]}
          />
          <div class="buttons">
            <button type="submit">Add</button>
          </div>
        </form>
      </section>
    </AdminSectionPage>
  );
}
