-- Rebuilds the full-text index of posts (posts_fts) from the posts and topics tables: what the
-- forum puts in it, i.e. every visible post of a topic that is not removed, the topic's title
-- with its first post. For a database that lost its index, e.g. one imported from a D1 export
-- (`wrangler d1 export` refuses FTS5 tables, so exports are of the other tables).
--   npx wrangler d1 execute DB --remote --file db/rebuild-search-index.sql
DELETE FROM posts_fts;
INSERT INTO posts_fts (rowid, title, body)
SELECT p.id, CASE WHEN p.number = 1 THEN t.title ELSE '' END, p.body_markdown
FROM posts p JOIN topics t ON t.id = p.topic_id
WHERE p.state = 'visible' AND p.deleted_at IS NULL AND p.removed_at IS NULL AND t.removed_at IS NULL;
