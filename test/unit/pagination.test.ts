import { describe, expect, it } from 'vitest';
import { pageNumbers } from '../../views/components/pagination';

describe('pageNumbers', () => {
  it('shows the first, the last and the neighbours of the current page, with gaps', () => {
    expect(pageNumbers(5, 20)).toEqual([1, null, 4, 5, 6, null, 20]);
    expect(pageNumbers(1, 20)).toEqual([1, 2, null, 20]);
    expect(pageNumbers(20, 20)).toEqual([1, null, 19, 20]);
  });

  it('shows a single missing page instead of a gap', () => {
    expect(pageNumbers(4, 20)).toEqual([1, 2, 3, 4, 5, null, 20]);
    expect(pageNumbers(3, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it('lists every page of short topics', () => {
    expect(pageNumbers(1, 1)).toEqual([1]);
    expect(pageNumbers(2, 2)).toEqual([1, 2]);
    expect(pageNumbers(1, 3)).toEqual([1, 2, 3]);
  });
});
