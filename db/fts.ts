/**
 * The full-text index of posts (FTS5 virtual table, created by migration 0002_posts_fts.sql).
 * Declared apart from db/schema.ts so that drizzle-kit never tries to manage it, and as a table
 * so that its writes are query-builder statements that batch on libSQL and on D1 alike.
 */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const postsFts = sqliteTable('posts_fts', {
  /** = posts.id */
  rowid: integer('rowid').notNull(),
  /** the topic title, with the first post only */
  title: text('title').notNull(),
  body: text('body').notNull(),
});
