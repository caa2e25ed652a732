import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/random';
import { range } from './range';
import { member, plain, randomGroup, validityErrors } from './testing';

const one = (topic: string, n: number) => new Map([[topic, n]]);

describe('range', () => {
  it('is EAGER and named as Java names it', () => {
    expect([range.name, range.rebalanceProtocol]).toEqual(['range', 'EAGER']);
  });

  it('gives 6 partitions to 3 members in contiguous pairs, in member id order whatever the JoinGroup order', () => {
    const members = [member('c', ['t']), member('a', ['t']), member('b', ['t'])];
    expect(plain(range.assign(members, one('t', 6)))).toEqual({ c: { t: [4, 5] }, a: { t: [0, 1] }, b: { t: [2, 3] } });
  });

  it('gives 7 partitions to 3 members as [3, 2, 2]', () => {
    const members = [member('a', ['t']), member('b', ['t']), member('c', ['t'])];
    expect(plain(range.assign(members, one('t', 7)))).toEqual({ a: { t: [0, 1, 2] }, b: { t: [3, 4] }, c: { t: [5, 6] } });
  });

  it('re-splits everything when a member leaves: the remaining two get 3 each', () => {
    const members = [member('a', ['t']), member('c', ['t'])];
    expect(plain(range.assign(members, one('t', 6)))).toEqual({ a: { t: [0, 1, 2] }, c: { t: [3, 4, 5] } });
  });

  it('splits each topic on its own, so the first member carries every extra (Java\'s documented example)', () => {
    const members = [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])];
    const result = range.assign(members, new Map([['t0', 3], ['t1', 3]]));
    expect(plain(result)).toEqual({ C0: { t0: [0, 1], t1: [0, 1] }, C1: { t0: [2], t1: [2] } });
  });

  it('splits a topic only among its subscribers; a member with nothing to take is still listed', () => {
    const members = [member('a', ['x', 'y']), member('b', ['y']), member('c', ['gone'])];
    const result = range.assign(members, new Map([['x', 2], ['y', 2]]));
    expect(plain(result)).toEqual({ a: { x: [0, 1], y: [0] }, b: { y: [1] }, c: {} });
  });

  it('keeps every partition with exactly one subscribed member, and per topic its subscribers within one of each other', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { members, partitionsPerTopic } = randomGroup(new SeededRandom(seed), seed % 2 === 0);
      const result = range.assign(members, partitionsPerTopic);
      expect(validityErrors(members, partitionsPerTopic, result), `seed ${seed}`).toEqual([]);
      for (const topic of partitionsPerTopic.keys()) {
        const perMember = members.filter((m) => m.topics.includes(topic))
          .map((m) => result.get(m.memberId)?.find((tp) => tp.topic === topic)?.partitions.length ?? 0);
        if (perMember.length > 0) expect(Math.max(...perMember) - Math.min(...perMember), `seed ${seed}`).toBeLessThanOrEqual(1);
      }
    }
  });
});
