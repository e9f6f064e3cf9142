/**
 * What the viewer of a topic page may do with each post: the predicates of src/policy combined
 * once, so that routes hand booleans to the views.
 */
import {
  type Actor,
  canEditPost,
  canLike,
  canViewHistory,
  isStaff,
  type TopicFacts,
} from './index';
import { canModerate, canReport } from './moderation';

export type PostActions = {
  quote: boolean;
  edit: boolean;
  delete: boolean;
  history: boolean;
  /** make this reply the accepted answer of its question */
  accept: boolean;
  /** clear this reply as the accepted answer */
  unaccept: boolean;
  report: boolean;
  /** like the post (or take the like back: the route knows which the viewer gave) */
  like: boolean;
  /** open the post's moderation panel */
  moderate: boolean;
  /** see the moderator's note on a removed post (its author and moderators) */
  removalNote: boolean;
};

export const NO_ACTIONS: PostActions = {
  quote: false,
  edit: false,
  delete: false,
  history: false,
  accept: false,
  unaccept: false,
  report: false,
  like: false,
  moderate: false,
  removalNote: false,
};

export type PagePost = {
  id: number;
  number: number;
  authorId: number | null;
  state: 'visible' | 'held';
  editedAt: Date | null;
  deletedAt: Date | null;
  removedAt: Date | null;
};

export type TopicPageFacts = {
  topic: TopicFacts;
  /** the viewer may reply to this topic */
  replyAllowed: boolean;
  /** the viewer may choose this question's answer */
  mayChooseAnswer: boolean;
  acceptedPostId: number | null;
  now: number;
};

export function postActionsFor(actor: Actor, page: TopicPageFacts, post: PagePost): PostActions {
  if (!actor) return NO_ACTIONS;
  const facts = { userId: post.authorId, deletedAt: post.deletedAt, removedAt: post.removedAt };
  const gone = !!(post.deletedAt || post.removedAt);
  const mayEdit = canEditPost(actor, facts, page.topic, page.now);
  return {
    quote: page.replyAllowed && !gone,
    edit: mayEdit,
    delete: mayEdit,
    history: !!post.editedAt && !gone && canViewHistory(actor, facts),
    // Any reply everyone can read can become the answer; the accepted one can be cleared.
    accept: page.mayChooseAnswer && post.number > 1 && !gone && post.id !== page.acceptedPostId,
    unaccept: page.mayChooseAnswer && post.id === page.acceptedPostId,
    report: !gone && canReport(actor, facts, page.now),
    like: canLike(actor, { ...facts, state: post.state }, page.topic, page.now),
    moderate: canModerate(actor, page.now),
    removalNote: !!post.removedAt && (post.authorId === actor.id || isStaff(actor)),
  };
}
