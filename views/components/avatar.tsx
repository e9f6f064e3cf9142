/** How many avatar colours there are: `.avatar-0` … `.avatar-7` in public/styles.css. */
export const AVATAR_COLOURS = 8;

/** A colour for the name, the same on every page and for every reader (FNV-1a of the username). */
export function avatarColour(username: string): number {
  let h = 0x811c9dc5;
  for (const ch of username.toLowerCase()) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % AVATAR_COLOURS;
}

/** One or two letters: the first of the first two words of the name ("Ada Lovelace" → "AL"). */
export function initials(name: string): string {
  const words = name.split(/[\s_.-]+/u).filter((w) => w.length > 0);
  const letters = words.slice(0, 2).map((w) => {
    const first = Array.from(w)[0] ?? '';
    const upper = first.toLocaleUpperCase('en-US');
    // "ß" would become "SS": a letter stays one letter.
    return Array.from(upper).length === 1 ? upper : first;
  });
  return letters.join('') || '?';
}

/**
 * Initials on a coloured disc, drawn by the stylesheet: no image, no inline style, nothing asked
 * of another site. Decorative (the name is always written next to it), so hidden from screen
 * readers.
 */
export function Avatar({
  username,
  name,
  size,
}: {
  username: string;
  name: string;
  size?: 'large';
}) {
  const classes = `avatar avatar-${avatarColour(username)}${size === 'large' ? ' avatar-large' : ''}`;
  return (
    <span class={classes} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
