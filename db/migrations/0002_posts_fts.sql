-- Full-text search over posts: the topic title with the first post, the markdown of every post.
-- rowid = posts.id. Written in the same batch as the post (src/services/posting.ts); removed,
-- deleted and held posts are not in it.
CREATE VIRTUAL TABLE `posts_fts` USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
--> statement-breakpoint
INSERT INTO `posts_fts` (rowid, title, body)
SELECT p.id, CASE WHEN p.number = 1 THEN t.title ELSE '' END, p.body_markdown
FROM `posts` p JOIN `topics` t ON t.id = p.topic_id
WHERE p.state = 'visible' AND p.deleted_at IS NULL AND p.removed_at IS NULL AND t.removed_at IS NULL;
