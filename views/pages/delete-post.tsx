import { raw } from 'hono/html';
import { type Frame, Layout } from '../layouts/site';

export type DeletePostPageProps = {
  frame: Frame;
  post: { id: number; number: number; bodyHtml: string };
  topic: { title: string };
};

/** Deleting asks once more: without JavaScript there is no "are you sure?" dialog. */
export function DeletePostPage({ frame, post, topic }: DeletePostPageProps) {
  return (
    <Layout frame={frame} title={`Delete post #${post.number}`} noindex>
      <h1>Delete post #{post.number}?</h1>
      <p>
        In “{topic.title}”. The post keeps its place in the topic, shown as deleted by its author;
        its text is no longer shown or searchable.
      </p>
      <blockquote class="post-body">{raw(post.bodyHtml)}</blockquote>
      <form method="post" action={`/posts/${post.id}/delete`} class="buttons">
        <button type="submit" class="button-danger">
          Delete post
        </button>
        <a class="button button-secondary" href={`/p/${post.id}`}>
          Keep it
        </a>
      </form>
    </Layout>
  );
}
