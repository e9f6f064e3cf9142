-- What the public may see, made true of data written before the rule was applied everywhere
-- (src/services/visibility.ts): a topic is public when approved and not removed; a post when
-- approved, not removed, not deleted, and in a public topic.
-- 1. The search index holds the public posts only: removing a topic used to leave its posts in
--    it, and restoring a post put it back even while its topic was removed.
DELETE FROM `posts_fts` WHERE rowid NOT IN (
  SELECT p.id FROM `posts` p JOIN `topics` t ON t.id = p.topic_id
  WHERE p.state = 'visible' AND p.deleted_at IS NULL AND p.removed_at IS NULL
    AND t.state = 'visible' AND t.removed_at IS NULL
);
--> statement-breakpoint
-- 2. And every public post is in it.
INSERT INTO `posts_fts` (rowid, title, body)
SELECT p.id, CASE WHEN p.number = 1 THEN t.title ELSE '' END, p.body_markdown
FROM `posts` p JOIN `topics` t ON t.id = p.topic_id
WHERE p.state = 'visible' AND p.deleted_at IS NULL AND p.removed_at IS NULL
  AND t.state = 'visible' AND t.removed_at IS NULL
  AND p.id NOT IN (SELECT rowid FROM `posts_fts`);
--> statement-breakpoint
-- 3. A forum counts its public topics and their posts, and its latest activity is the most
--    recently active public topic: moderation used to count held topics and show one as latest.
UPDATE `forums` SET
  topic_count = (SELECT count(*) FROM `topics` t
    WHERE t.forum_id = forums.id AND t.state = 'visible' AND t.removed_at IS NULL),
  post_count = (SELECT coalesce(sum(t.post_count), 0) FROM `topics` t
    WHERE t.forum_id = forums.id AND t.state = 'visible' AND t.removed_at IS NULL),
  last_topic_id = (SELECT t.id FROM `topics` t
    WHERE t.forum_id = forums.id AND t.state = 'visible' AND t.removed_at IS NULL
    ORDER BY t.last_post_at DESC, t.id DESC LIMIT 1),
  last_post_id = (SELECT t.last_post_id FROM `topics` t
    WHERE t.forum_id = forums.id AND t.state = 'visible' AND t.removed_at IS NULL
    ORDER BY t.last_post_at DESC, t.id DESC LIMIT 1),
  last_post_at = (SELECT t.last_post_at FROM `topics` t
    WHERE t.forum_id = forums.id AND t.state = 'visible' AND t.removed_at IS NULL
    ORDER BY t.last_post_at DESC, t.id DESC LIMIT 1);
