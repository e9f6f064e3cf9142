-- Search puts a topic whose title is exactly the words searched for first, however old it is
-- (src/services/search.ts): an index on the title as it compares them, without case (ASCII, as
-- SQLite's lower()) and without the final punctuation. An index on an expression, written here
-- because drizzle-kit cannot express it.
CREATE INDEX `topics_title_key_idx` ON `topics` (lower(rtrim(`title`, ' .?!')));
