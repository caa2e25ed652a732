import { describe, expect, it } from 'vitest';
import { LeaderEpochCache, UNDEFINED_EPOCH } from './leaderEpochCache';

describe('LeaderEpochCache', () => {
  it('answers where an epoch ends: the next epoch start, or the log end for the latest', () => {
    const cache = new LeaderEpochCache();
    cache.assign(0, 0);
    cache.assign(2, 10);
    cache.assign(5, 25);
    expect(cache.endOffsetFor(0, 40)).toEqual({ leaderEpoch: 0, endOffset: 10 });
    expect(cache.endOffsetFor(2, 40)).toEqual({ leaderEpoch: 2, endOffset: 25 });
    // Epoch 3 never wrote here: the answer is for epoch 2 (KIP-279), ending where 5 begins.
    expect(cache.endOffsetFor(3, 40)).toEqual({ leaderEpoch: 2, endOffset: 25 });
    expect(cache.endOffsetFor(5, 40)).toEqual({ leaderEpoch: 5, endOffset: 40 });
    expect(cache.endOffsetFor(6, 40).leaderEpoch).toBe(UNDEFINED_EPOCH);
  });

  it('ignores an epoch that is not newer, and drops entries a new epoch overwrites', () => {
    const cache = new LeaderEpochCache([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 8 }]);
    expect(cache.assign(3, 12)).toBe(false);
    expect(cache.assign(2, 12)).toBe(false);
    // A new leader took over at offset 5: epoch 3's records from 8 were truncated away.
    expect(cache.assign(4, 5)).toBe(true);
    expect(cache.entries).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 5 }]);
  });

  it('forgets epochs that started at or after a truncation point', () => {
    const cache = new LeaderEpochCache([{ epoch: 0, startOffset: 0 }, { epoch: 1, startOffset: 4 }, { epoch: 2, startOffset: 9 }]);
    expect(cache.truncateFromEnd(9)).toBe(true);
    expect(cache.latestEpoch).toBe(1);
    expect(cache.truncateFromEnd(9)).toBe(false);
    expect(cache.endOffsetFor(1, 9)).toEqual({ leaderEpoch: 1, endOffset: 9 });
  });
});
