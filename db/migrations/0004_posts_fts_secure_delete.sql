-- Deleting from the full-text index removes the words from it at once. By default FTS5 only
-- marks a deleted row and keeps its words in the index's blobs until segments merge, so the text
-- of a deleted post (or of a deleted account's posts) would stay in the database file.
-- Needs SQLite 3.44 or newer (libSQL and D1 have it).
INSERT INTO `posts_fts` (`posts_fts`, `rank`) VALUES ('secure-delete', 1);
