import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/random';
import type { TopicPartitions } from '../../events';
import { partitionKey } from './common';
import { cooperativeSticky, decodeStickyAssignorUserData, encodeStickyAssignorUserData, sticky } from './sticky';
import { counts, holders, member, plain, randomGroup, validityErrors } from './testing';
import type { GroupAssignment, MemberSubscription } from './types';

const six = new Map([['t', 6]]);
const keysOf = (list: readonly TopicPartitions[] = []): Set<string> =>
  new Set(list.flatMap(({ topic, partitions }) => partitions.map((p) => partitionKey(topic, p))));
/** The members again, each now owning what `assignment` gave it, in `generationId`. */
const owning = (members: readonly MemberSubscription[], assignment: GroupAssignment, generationId: number): MemberSubscription[] =>
  members.map((m) => ({ ...m, ownedPartitions: assignment.get(m.memberId) ?? [], generationId }));
const spread = (assignment: GroupAssignment): number => {
  const loads = Object.values(counts(assignment));
  return Math.max(...loads) - Math.min(...loads);
};

describe('sticky and cooperative-sticky', () => {
  it('are EAGER and COOPERATIVE, named as Java names them', () => {
    expect([sticky.name, sticky.rebalanceProtocol]).toEqual(['sticky', 'EAGER']);
    expect([cooperativeSticky.name, cooperativeSticky.rebalanceProtocol]).toEqual(['cooperative-sticky', 'COOPERATIVE']);
  });

  it('start balanced: 6 partitions to 3 new members, 2 each', () => {
    for (const assignor of [sticky, cooperativeSticky]) {
      const members = ['a', 'b', 'c'].map((id) => member(id, ['t']));
      const result = assignor.assign(members, six);
      expect(counts(result)).toEqual({ a: 2, b: 2, c: 2 });
      expect(validityErrors(members, six, result)).toEqual([]);
    }
  });

  it('when a member leaves, the others keep theirs and split its partitions', () => {
    const members = [member('a', ['t'], { t: [0, 1] }, 4), member('b', ['t'], { t: [2, 3] }, 4)];
    for (const assignor of [sticky, cooperativeSticky]) {
      expect(plain(assignor.assign(members, six))).toEqual({ a: { t: [0, 1, 4] }, b: { t: [2, 3, 5] } });
    }
  });

  it('when a member joins, it takes one from each and nothing else moves', () => {
    const members = [member('a', ['t'], { t: [0, 1, 2] }, 4), member('b', ['t'], { t: [3, 4, 5] }, 4), member('c', ['t'])];
    expect(plain(sticky.assign(members, six))).toEqual({ a: { t: [0, 1] }, b: { t: [3, 4] }, c: { t: [2, 5] } });
  });

  it('cooperative-sticky withholds the moving partitions for one round, then hands them over', () => {
    const members = [member('a', ['t'], { t: [0, 1, 2] }, 4), member('b', ['t'], { t: [3, 4, 5] }, 4), member('c', ['t'])];
    const first = cooperativeSticky.assign(members, six);
    expect(plain(first)).toEqual({ a: { t: [0, 1] }, b: { t: [3, 4] }, c: {} });
    // a and b revoke 2 and 5, rejoin owning what is left, and the follow-up rebalance completes the move.
    expect(plain(cooperativeSticky.assign(owning(members, first, 5), six))).toEqual({ a: { t: [0, 1] }, b: { t: [3, 4] }, c: { t: [2, 5] } });
  });

  it('resolves a partition claimed twice by the higher generation; a tie in one generation trusts neither', () => {
    const stale = [member('a', ['t'], { t: [0, 1, 2] }, 3), member('b', ['t'], { t: [0, 1] }, 5)];
    expect(plain(sticky.assign(stale, new Map([['t', 4]])))).toEqual({ a: { t: [2, 3] }, b: { t: [0, 1] } });
    const tie = [member('a', ['t'], { t: [1] }, 2), member('b', ['t'], { t: [0, 1] }, 2)];
    // 1 is contested, so it is unclaimed and goes to the least loaded: a (0) before b (1).
    expect(plain(sticky.assign(tie, new Map([['t', 2]])))).toEqual({ a: { t: [1] }, b: { t: [0] } });
  });

  it('drops claims on deleted topics, unsubscribed topics and partitions that do not exist', () => {
    const members = [member('a', ['t'], { t: [0, 1, 2, 9], gone: [0], u: [0] }, 1), member('b', ['t', 'u'])];
    const result = sticky.assign(members, new Map([['t', 4], ['u', 2]]));
    expect(plain(result)).toEqual({ a: { t: [0, 1, 2] }, b: { t: [3], u: [0, 1] } });
  });

  it('cooperative-sticky also withholds a partition of a topic its owner no longer subscribes to', () => {
    const members = [member('a', ['t'], { t: [0], u: [0] }, 1), member('b', ['t', 'u'], { t: [1] }, 1)];
    expect(plain(cooperativeSticky.assign(members, new Map([['t', 2], ['u', 1]])))).toEqual({ a: { t: [0] }, b: { t: [1] } });
  });

  it('gives a topic only to its subscribers and balances around them', () => {
    const members = [member('a', ['x']), member('b', ['x', 'y']), member('c', ['y'])];
    const partitionsPerTopic = new Map([['x', 4], ['y', 2]]);
    const result = sticky.assign(members, partitionsPerTopic);
    expect(validityErrors(members, partitionsPerTopic, result)).toEqual([]);
    expect(counts(result)).toEqual({ a: 2, b: 2, c: 2 });
  });

  describe('StickyAssignorUserData', () => {
    it('encodes Java\'s V1 layout and decodes V1, V0 and rejects other bytes', () => {
      const bytes = encodeStickyAssignorUserData({ partitions: [{ topic: 't', partitions: [2] }], generation: 7 });
      expect([...bytes]).toEqual([0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7]);
      expect(decodeStickyAssignorUserData(bytes)).toEqual({ partitions: [{ topic: 't', partitions: [2] }], generation: 7 });
      expect(decodeStickyAssignorUserData(bytes.subarray(0, bytes.length - 4))).toEqual({ partitions: [{ topic: 't', partitions: [2] }], generation: -1 });
      expect(decodeStickyAssignorUserData(Uint8Array.from([0, 0, 0, 3, 1]))).toBeNull();
    });

    it('sticky (EAGER) reads the previous assignment from userData, since eager members own nothing when they join', () => {
      const withUserData = (id: string, partitions: number[]): MemberSubscription => ({
        ...member(id, ['t']), userData: encodeStickyAssignorUserData({ partitions: [{ topic: 't', partitions }], generation: 3 }),
      });
      const members = [withUserData('a', [5, 4]), withUserData('b', [0, 1]), member('c', ['t'])];
      expect(plain(sticky.assign(members, six))).toEqual({ a: { t: [4, 5] }, b: { t: [0, 1] }, c: { t: [2, 3] } });
    });
  });

  describe('properties over seeded random groups', () => {
    const SEEDS = 300;

    it('every partition held by exactly one subscriber; identical subscriptions give max - min <= 1; no balancing move is left', () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const rng = new SeededRandom(seed);
        const mixed = seed % 2 === 0;
        const { members, partitionsPerTopic } = randomGroup(rng, mixed);
        // Start from a random earlier ownership (stale and overlapping claims included).
        const claimed = members.map((m) => ({
          ...m,
          generationId: rng.int(3),
          ownedPartitions: [...partitionsPerTopic].map(([topic, n]) => ({ topic, partitions: [...Array(n).keys()].filter(() => rng.next() < 0.3) })),
        }));
        const result = sticky.assign(claimed, partitionsPerTopic);
        expect(validityErrors(claimed, partitionsPerTopic, result), `seed ${seed}`).toEqual([]);
        if (!mixed) expect(spread(result), `seed ${seed}`).toBeLessThanOrEqual(1);
        const load = counts(result);
        for (const [id, list] of result) {
          for (const { topic } of list) {
            const takers = members.filter((m) => m.topics.includes(topic) && load[m.memberId] <= load[id] - 2);
            expect(takers.map((m) => m.memberId), `seed ${seed}: ${id} could give ${topic}`).toEqual([]);
          }
        }
      }
    });

    it('sticky: when one member leaves, no partition moves between the others; when one joins, each keeps a subset or a superset', () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const rng = new SeededRandom(seed);
        const { members, partitionsPerTopic } = randomGroup(rng, false);
        const before = sticky.assign(members, partitionsPerTopic);
        const current = owning(members, before, 1);
        const leaver = rng.int(current.length);
        const after = sticky.assign(current.filter((_, i) => i !== leaver), partitionsPerTopic);
        for (const [id, list] of after) {
          const kept = keysOf(list);
          for (const key of keysOf(before.get(id))) expect(kept.has(key), `seed ${seed}: ${id} lost ${key}`).toBe(true);
        }
        const joined = sticky.assign([...current, member('new', [...partitionsPerTopic.keys()])], partitionsPerTopic);
        expect(spread(joined), `seed ${seed}`).toBeLessThanOrEqual(1);
        for (const m of current) {
          const old = keysOf(before.get(m.memberId));
          const now = keysOf(joined.get(m.memberId));
          const subset = [...now].every((k) => old.has(k));
          const superset = [...old].every((k) => now.has(k));
          expect(subset || superset, `seed ${seed}: ${m.memberId} both gave and took`).toBe(true);
        }
      }
    });

    it('cooperative-sticky: the sticky plan minus exactly the partitions moving away from an owner; the follow-up round completes it', () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const rng = new SeededRandom(seed);
        const mixed = seed % 3 === 0;
        const { members, partitionsPerTopic } = randomGroup(rng, mixed);
        // Owned partitions from an earlier membership: some of today's members were not there, some of then are gone.
        const earlier = members.filter(() => rng.next() < 0.7);
        const previous = sticky.assign(earlier, partitionsPerTopic);
        const stayed = owning(members, previous, 1).filter(() => rng.next() < 0.85);
        const current = stayed.length > 0 ? stayed : owning(members, previous, 1);
        const plan = sticky.assign(current, partitionsPerTopic);
        const result = cooperativeSticky.assign(current, partitionsPerTopic);
        expect(validityErrors(current, partitionsPerTopic, result, true), `seed ${seed}`).toEqual([]);
        const ownersOf = holders(new Map(current.map((m) => [m.memberId, m.ownedPartitions])));
        for (const m of current) {
          const planned = keysOf(plan.get(m.memberId));
          const given = keysOf(result.get(m.memberId));
          const owned = keysOf(m.ownedPartitions);
          for (const key of planned) {
            const movingAway = !owned.has(key) && (ownersOf.get(key) ?? []).some((id) => id !== m.memberId);
            expect(given.has(key), `seed ${seed}: ${m.memberId} ${key}`).toBe(!movingAway);
          }
          expect([...given].every((k) => planned.has(k)), `seed ${seed}`).toBe(true);
          // Nothing a member owns and keeps is revoked.
          for (const key of owned) if (planned.has(key)) expect(given.has(key), `seed ${seed}`).toBe(true);
        }
        if (!mixed) {
          const second = cooperativeSticky.assign(owning(current, result, 2), partitionsPerTopic);
          expect(validityErrors(current, partitionsPerTopic, second), `seed ${seed}`).toEqual([]);
          expect(spread(second), `seed ${seed}`).toBeLessThanOrEqual(1);
        }
      }
    });
  });
});
