-- The search index holds what readers see: the plain text of each post's cooked HTML (it held
-- the markdown, so snippets showed `**` and link addresses). SQLite cannot read HTML, so the
-- text is made by the forum itself: this leaves a note of the posts to redo, and the Node
-- server (on start, in the background), `npm run cli -- reindex` and the Worker (a step after
-- responses) redo them in batches (src/services/search-index.ts). Meanwhile the old rows keep
-- search working; posts written after this are indexed with their plain text at once.
INSERT INTO `search_reindex` (next_post_id, last_post_id)
SELECT min(id), max(id) FROM `posts` HAVING count(*) > 0;
