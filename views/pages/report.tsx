import { raw } from 'hono/html';
import { ErrorSummary, type FieldErrors } from '../components/form';
import { NoteField, ReasonFields } from '../components/reason-fields';
import { type Frame, Layout } from '../layouts/site';

export type ReportPageProps = {
  frame: Frame;
  post: { id: number; number: number; bodyHtml: string; author: string | null };
  topic: { title: string };
  values: { reason?: string; note?: string };
  errors: FieldErrors;
};

export function ReportPage({ frame, post, topic, values, errors }: ReportPageProps) {
  return (
    <Layout frame={frame} title={`Report post #${post.number}`} noindex>
      <h1>Report post #{post.number}</h1>
      <p>
        In “{topic.title}”{post.author ? `, by ${post.author}` : ''}. Moderators look at every
        report, and resolve problems within 2 business days. The author is not told who reported the
        post.
      </p>
      <blockquote class="post-body">{raw(post.bodyHtml)}</blockquote>
      <form method="post" action={`/posts/${post.id}/report`} class="form" novalidate>
        <ErrorSummary errors={errors} />
        <ReasonFields
          legend="What is wrong with it?"
          selected={values.reason}
          error={errors.reason}
        />
        <NoteField
          label="Note for the moderators (optional)"
          value={values.note}
          error={errors.note}
        />
        <div class="buttons">
          <button type="submit">Send report</button>
          <a class="button button-secondary" href={`/p/${post.id}`}>
            Cancel
          </a>
        </div>
      </form>
    </Layout>
  );
}

export function ReportSentPage({ frame, postId }: { frame: Frame; postId: number }) {
  return (
    <Layout frame={frame} title="Thank you for your report" noindex>
      <h1>Thank you for your report</h1>
      <p>A moderator will look at it within 2 business days.</p>
      <p>
        <a href={`/p/${postId}`}>Back to the post</a>
      </p>
    </Layout>
  );
}
