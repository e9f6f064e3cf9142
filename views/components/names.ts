/** How pages name the forum's words (domain/words.ts). */
import type { ForumCategory, Role } from '../../domain/words';

export const CATEGORY_NAMES: Record<ForumCategory, string> = {
  products: 'Products',
  marketplace: 'Marketplace',
  community: 'Community',
};

export const ROLE_NAMES: Record<Role, string> = {
  member: 'Member',
  moderator: 'Moderator',
  admin: 'Administrator',
};
