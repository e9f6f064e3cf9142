/**
 * The colours of public/styles.css, light and dark, checked against WCAG 2.1 AA: 4.5:1 for text
 * on each background it is shown on, 3:1 for focus rings and the borders of form fields.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AVATAR_COLOURS } from '../../views/components/avatar';

const css = readFileSync(new URL('../../public/styles.css', import.meta.url), 'utf8');

/** The custom properties of the first `:root { … }` after `from`. */
function variables(from: number): Record<string, string> {
  const start = css.indexOf(':root {', from);
  const block = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries(
    [...block.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [
      m[1] as string,
      (m[2] as string).toLowerCase(),
    ]),
  );
}

const light = variables(0);
const dark = { ...light, ...variables(css.indexOf('@media (prefers-color-scheme: dark)')) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const v = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Text colours and the backgrounds the stylesheet puts them on. */
const TEXT: [string, string][] = [
  ['text', 'bg'],
  ['text', 'bg-soft'],
  ['muted', 'bg'],
  ['muted', 'bg-soft'],
  ['muted', 'warn-bg'],
  ['link', 'bg'],
  ['link', 'bg-soft'],
  ['link', 'warn-bg'],
  ['link', 'ok-bg'],
  ['link', 'accepted-bg'],
  ['link-visited', 'bg'],
  ['accent', 'bg'],
  ['accent', 'bg-soft'],
  ['accent', 'vendor-bg'],
  ['ok', 'bg'],
  ['ok', 'ok-bg'],
  ['ok', 'accepted-bg'],
  ['danger', 'bg'],
  ['text', 'warn-bg'],
  ['text', 'ok-bg'],
  ['text', 'danger-bg'],
  ['text', 'accepted-bg'],
  ['text', 'mark-bg'],
  ['on-accent', 'accent'],
  ['on-accent', 'ok'],
  ['on-accent', 'danger'],
  ['bg', 'text'],
];

/** Rings and field borders (3:1 against what is around them). */
const NON_TEXT: [string, string][] = [
  ['focus', 'bg'],
  ['focus', 'bg-soft'],
  ['input-border', 'bg'],
];

describe.each([
  ['light', light],
  ['dark', dark],
] as const)('the %s colours', (_, palette) => {
  const of = (name: string) => {
    const value = palette[name];
    expect(value, `--${name}`).toMatch(/^#[0-9a-f]{6}$/);
    return value as string;
  };

  it.each(TEXT)('--%s on --%s is at least 4.5:1', (fg, bg) => {
    expect(contrast(of(fg), of(bg))).toBeGreaterThanOrEqual(4.5);
  });

  it.each(NON_TEXT)('--%s against --%s is at least 3:1', (fg, bg) => {
    expect(contrast(of(fg), of(bg))).toBeGreaterThanOrEqual(3);
  });

  it('white text on the banner is at least 4.5:1', () => {
    expect(contrast('#ffffff', of('header-bg'))).toBeGreaterThanOrEqual(4.5);
  });
});

describe('the dark scheme', () => {
  it('overrides every colour of the light one', () => {
    const overridden = variables(css.indexOf('@media (prefers-color-scheme: dark)'));
    expect(Object.keys(overridden).sort()).toEqual(Object.keys(light).sort());
  });
});

describe('the avatar colours', () => {
  const colours = [...css.matchAll(/\.avatar-(\d+) \{\s*background: (#[0-9a-f]{6});/gi)].map(
    (m) => ({ n: Number(m[1]), hex: (m[2] as string).toLowerCase() }),
  );

  it('are one class for each colour the hash picks', () => {
    expect(colours.map((c) => c.n)).toEqual([...Array(AVATAR_COLOURS).keys()]);
  });

  it.each(colours)('white initials on .avatar-$n ($hex) are at least 4.5:1', ({ hex }) => {
    expect(contrast('#ffffff', hex)).toBeGreaterThanOrEqual(4.5);
  });
});
