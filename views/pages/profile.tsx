import type { ProfilePost, PublicProfile } from '../../src/services/users';
import { Avatar } from '../components/avatar';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

export type ProfilePageProps = {
  frame: Frame;
  profile: PublicProfile;
  posts: ProfilePost[];
  olderHref: string | null;
  newerHref: string | null;
  /** the viewer moderates: link to the member's moderation panel */
  moderate: boolean;
};

const plainLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 160);

const ROLE_NAMES = { member: null, moderator: 'Moderator', admin: 'Administrator' } as const;

export function ProfilePage({
  frame,
  profile,
  posts,
  olderHref,
  newerHref,
  moderate,
}: ProfilePageProps) {
  const name = profile.displayName ?? profile.username;
  const role = ROLE_NAMES[profile.role];
  return (
    <Layout
      frame={frame}
      title={name}
      description={profile.bio ? plainLine(profile.bio) : `${name} in the Plimus Community Forums.`}
      // Nothing of theirs to find: a page without posts is not worth a search engine's index.
      noindex={posts.length === 0 && !newerHref}
    >
      <div class="profile-head">
        <Avatar username={profile.username} name={name} size="large" />
        <h1>
          {name}
          {name !== profile.username ? <span class="username"> @{profile.username}</span> : null}
        </h1>
      </div>
      <dl class="profile-facts">
        {role ? (
          <>
            <dt>Role</dt>
            <dd>{role}</dd>
          </>
        ) : null}
        <dt>Joined</dt>
        <dd>
          <Time date={profile.joinedAt} dateOnly />
        </dd>
        <dt>Posts</dt>
        <dd>{profile.postCount.toLocaleString('en-US')}</dd>
      </dl>
      {profile.bio ? <p class="profile-bio">{profile.bio}</p> : null}
      {moderate ? (
        <p class="moderate-link">
          <a href={`/mod/users/${profile.username}`}>Moderate this member</a>
        </p>
      ) : null}
      <section aria-labelledby="recent-posts">
        <h2 id="recent-posts">{newerHref ? 'Older posts' : 'Recent posts'}</h2>
        {posts.length === 0 ? (
          <p class="empty">{newerHref ? 'No older posts.' : `${name} has not posted yet.`}</p>
        ) : (
          <ol class="profile-posts">
            {posts.map((p) => (
              <li>
                <h3 class="profile-post-title">
                  <a href={`/p/${p.id}`}>{p.topicTitle}</a>
                  {p.number > 1 ? <span class="muted"> (reply #{p.number})</span> : null}
                </h3>
                <p class="profile-post-meta">
                  <Time date={p.createdAt} />
                </p>
                <p class="excerpt">{p.excerpt}</p>
              </li>
            ))}
          </ol>
        )}
        {olderHref || newerHref ? (
          <nav class="pagination" aria-label="Post pages">
            {newerHref ? <a href={newerHref}>← Most recent posts</a> : <span />}
            {olderHref ? (
              <a href={olderHref} rel="next">
                Older posts →
              </a>
            ) : null}
          </nav>
        ) : null}
      </section>
    </Layout>
  );
}
