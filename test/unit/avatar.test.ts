import { describe, expect, it } from 'vitest';
import { AVATAR_COLOURS, avatarColour, initials } from '../../views/components/avatar';

describe('initials', () => {
  it('takes the first letter of the first two words', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('Marta Kowalski Nowak')).toBe('MK');
    expect(initials('devon_r')).toBe('DR');
    expect(initials('lin-chen')).toBe('LC');
    expect(initials('oskar')).toBe('O');
  });

  it('keeps letters outside ASCII whole', () => {
    expect(initials('ßeta émile')).toBe('ßÉ');
    expect(initials('𝒜lpha')).toBe('𝒜');
  });
});

describe('avatarColour', () => {
  it('is the same for a name whatever its case, and within the palette', () => {
    expect(avatarColour('Devon_R')).toBe(avatarColour('devon_r'));
    for (const name of ['a', 'oskar', 'lin-chen', 'Marta', 'x'.repeat(40)]) {
      const n = avatarColour(name);
      expect(Number.isInteger(n) && n >= 0 && n < AVATAR_COLOURS).toBe(true);
    }
  });

  it('spreads names over the colours', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => avatarColour(`member_${i}`)));
    expect(used.size).toBe(AVATAR_COLOURS);
  });
});
