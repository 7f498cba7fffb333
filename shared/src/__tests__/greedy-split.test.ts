import { describe, expect, it } from 'vitest';
import { firstGreedyRun, greedySplit } from '../greedy-split.js';

const size = (n: number) => n;

describe('greedy split', () => {
  it('cuts before the item that would pass the byte or count limit; an oversize item goes alone', () => {
    expect(greedySplit([3, 3, 3, 3], size, 10, 7)).toEqual([[3, 3], [3, 3]]);
    expect(greedySplit([1, 1, 1, 1, 1], size, 2, 100)).toEqual([[1, 1], [1, 1], [1]]);
    expect(greedySplit([2, 50, 2], size, 10, 10)).toEqual([[2], [50], [2]]);
    expect(greedySplit([], size, 10, 10)).toEqual([]);
    expect(firstGreedyRun([4, 4, 4], size, 8)).toEqual([4, 4]);
    expect(firstGreedyRun([], size, 8)).toEqual([]);
  });

  it('always makes progress, even with limits of zero', () => {
    expect(firstGreedyRun([5, 5], size, 0)).toEqual([5]);
    expect(greedySplit([5, 5], size, 0, 0)).toEqual([[5], [5]]);
  });
});
