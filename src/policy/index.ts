/**
 * Every permission of the forum, in one place. Predicates are pure: they look at the actor and
 * the thing acted on, never at the database. Services call `require*` (which throws with a
 * message the person can act on); views get the booleans the routes compute here.
 */
import type { Role } from '../../domain/words';
import { ForbiddenError } from '../errors';

/** Who is acting: a signed-in person, or null for a visitor. */
export type Actor = {
  id: number;
  role: Role;
  createdAt: Date;
  suspendedUntil: Date | null;
  suspendedReason: string | null;
  /** the vendor this person is staff of (from the linked Plimus identity) */
  vendorId?: number | null;
} | null;

export type ForumFacts = { archived: boolean };
export type TopicFacts = { locked: boolean; removedAt: Date | null; forum: ForumFacts };
export type PostFacts = {
  userId: number | null;
  deletedAt: Date | null;
  removedAt: Date | null;
};

export const isStaff = (actor: Actor) => actor?.role === 'moderator' || actor?.role === 'admin';

export const isSuspended = (actor: Actor, now: number) =>
  !!actor?.suspendedUntil && actor.suspendedUntil.getTime() > now;

/** A suspension without an end is stored as one that ends on the last day of year 9999. */
export const PERMANENT_SUSPENSION = new Date(Date.UTC(9999, 11, 31));

export const isPermanentSuspension = (until: Date) =>
  until.getTime() >= PERMANENT_SUSPENSION.getTime();

/** "until 2026-12-04", or "permanently" for a suspension without an end. */
export const suspensionEnd = (until: Date | null | undefined) =>
  until && isPermanentSuspension(until)
    ? 'permanently'
    : `until ${until?.toISOString().slice(0, 10)}`;

/** What a signed-in person may not do while suspended, with the reason and end date. */
function suspensionMessage(actor: NonNullable<Actor>): string {
  return `Your account is suspended ${suspensionEnd(actor.suspendedUntil)}${actor.suspendedReason ? `: ${actor.suspendedReason}` : ''}. You can read the forums, but not post, edit or report${actor.suspendedUntil && isPermanentSuspension(actor.suspendedUntil) ? '' : ' until then'}.`;
}

export const canStartTopic = (actor: Actor, forum: ForumFacts, now: number) =>
  !!actor && !isSuspended(actor, now) && !forum.archived;

export const canReply = (actor: Actor, topic: TopicFacts, now: number) =>
  !!actor &&
  !isSuspended(actor, now) &&
  !topic.forum.archived &&
  !topic.removedAt &&
  (!topic.locked || isStaff(actor));

/**
 * Where a signed-out writer's draft is worth keeping while they sign in: a place that still takes
 * posts from someone (a locked topic still takes its moderators' replies).
 */
export const takesReplyDrafts = (topic: TopicFacts) => !topic.forum.archived && !topic.removedAt;
export const takesTopicDrafts = (forum: ForumFacts) => !forum.archived;

const isAuthor = (actor: Actor, post: PostFacts) => !!actor && post.userId === actor.id;

export const canEditPost = (actor: Actor, post: PostFacts, topic: TopicFacts, now: number) =>
  isAuthor(actor, post) &&
  !isSuspended(actor, now) &&
  !post.deletedAt &&
  !post.removedAt &&
  !topic.forum.archived;

export const canDeletePost = (actor: Actor, post: PostFacts, topic: TopicFacts, now: number) =>
  canEditPost(actor, post, topic, now);

/**
 * Earlier versions of a post are seen by its author and by moderators only: someone who edits
 * out personal data they posted by mistake must not find it in a public history.
 */
export const canViewHistory = (actor: Actor, post: PostFacts) =>
  isAuthor(actor, post) || isStaff(actor);

function requireSignedIn(actor: Actor, doing: string): asserts actor is NonNullable<Actor> {
  if (!actor) throw new ForbiddenError(`Please sign in to ${doing}.`);
}

function requireNotSuspended(actor: NonNullable<Actor>, now: number) {
  if (isSuspended(actor, now)) throw new ForbiddenError(suspensionMessage(actor));
}

/**
 * How closely to follow a topic or forum is each signed-in person's own choice, suspended or not
 * (muting included).
 */
export const canChooseWatch = (actor: Actor) => !!actor;

export function requireChooseWatch(actor: Actor): asserts actor is NonNullable<Actor> {
  requireSignedIn(actor, 'choose what you watch');
}

export function requireStartTopic(
  actor: Actor,
  forum: ForumFacts,
  now: number,
): asserts actor is NonNullable<Actor> {
  requireSignedIn(actor, 'start a topic');
  requireNotSuspended(actor, now);
  if (forum.archived) throw new ForbiddenError('This forum is archived: it takes no new topics.');
}

export function requireReply(
  actor: Actor,
  topic: TopicFacts,
  now: number,
): asserts actor is NonNullable<Actor> {
  requireSignedIn(actor, 'reply');
  requireNotSuspended(actor, now);
  if (topic.forum.archived)
    throw new ForbiddenError('This forum is archived: it takes no new replies.');
  if (!canReply(actor, topic, now))
    throw new ForbiddenError('This topic is locked: it takes no new replies.');
}

export function requireEditPost(
  actor: Actor,
  post: PostFacts,
  topic: TopicFacts,
  now: number,
): asserts actor is NonNullable<Actor> {
  requireSignedIn(actor, 'edit posts');
  if (!isAuthor(actor, post))
    throw new ForbiddenError('Only the author of a post can edit or delete it.');
  requireNotSuspended(actor, now);
  if (post.deletedAt || post.removedAt)
    throw new ForbiddenError('This post was deleted or removed.');
  if (topic.forum.archived)
    throw new ForbiddenError('This forum is archived: its posts cannot change.');
}

/** What liking a post depends on: its author, and whether everyone can read it. */
export type LikeFacts = PostFacts & { state: 'visible' | 'held' };

/**
 * A signed-in member who is not suspended may like a post of someone else that everyone can
 * read, in a topic that is not removed, outside archived forums (they are frozen). Taking a like
 * back is always allowed: it is the person's own data.
 */
export const canLike = (actor: Actor, post: LikeFacts, topic: TopicFacts, now: number) =>
  !!actor &&
  !isSuspended(actor, now) &&
  post.userId !== actor.id &&
  post.state === 'visible' &&
  !post.deletedAt &&
  !post.removedAt &&
  !topic.removedAt &&
  !topic.forum.archived;

export function requireLike(
  actor: Actor,
  post: LikeFacts,
  topic: TopicFacts,
  now: number,
): asserts actor is NonNullable<Actor> {
  requireSignedIn(actor, 'like posts');
  requireNotSuspended(actor, now);
  if (post.userId === actor.id) throw new ForbiddenError('You cannot like your own posts.');
  if (topic.forum.archived)
    throw new ForbiddenError('This forum is archived: its posts take no likes.');
  if (!canLike(actor, post, topic, now))
    throw new ForbiddenError('Only posts that everyone can read can be liked.');
}

export function requireUnlike(actor: Actor): asserts actor is NonNullable<Actor> {
  requireSignedIn(actor, 'take a like back');
}

export function requireViewHistory(actor: Actor, post: PostFacts) {
  if (!canViewHistory(actor, post)) {
    throw new ForbiddenError(
      'Only the author of a post and moderators can see its earlier versions.',
    );
  }
}

/** What changing a topic's kind (discussion or question) depends on. */
export type TopicKindFacts = { userId: number | null; removedAt: Date | null; forum: ForumFacts };

/**
 * The author of a topic (as for editing their posts: not while suspended), moderators and
 * administrators may turn a discussion into a question or back; never in an archived forum (it
 * is frozen) or on a removed topic.
 */
export const canChangeTopicKind = (actor: Actor, topic: TopicKindFacts, now: number) =>
  !!actor &&
  !isSuspended(actor, now) &&
  (topic.userId === actor.id || isStaff(actor)) &&
  !topic.removedAt &&
  !topic.forum.archived;

export function requireChangeTopicKind(
  actor: Actor,
  topic: TopicKindFacts,
  now: number,
): asserts actor is NonNullable<Actor> {
  requireSignedIn(actor, 'change the kind of a topic');
  if (topic.userId !== actor.id && !isStaff(actor))
    throw new ForbiddenError(
      'Only the person who started a topic and moderators can change its kind.',
    );
  requireNotSuspended(actor, now);
  if (topic.forum.archived)
    throw new ForbiddenError('This forum is archived: its topics cannot change.');
  if (topic.removedAt) throw new ForbiddenError('This topic was removed.');
}
