import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/random';
import { javaRoundRobin, roundRobin } from './roundRobin';
import { counts, member, plain, randomGroup, validityErrors } from './testing';

describe('round robin', () => {
  it('has KafkaJS\'s name and Java\'s name, both EAGER', () => {
    expect([roundRobin.name, roundRobin.rebalanceProtocol]).toEqual(['RoundRobinAssigner', 'EAGER']);
    expect([javaRoundRobin.name, javaRoundRobin.rebalanceProtocol]).toEqual(['roundrobin', 'EAGER']);
  });

  it('computes what KafkaJS\'s own test expects: members sorted, the turn carried from topic-A into topic-B', () => {
    const members = ['member-3', 'member-1', 'member-4', 'member-2'].map((id) => member(id, ['topic-A', 'topic-B']));
    const expected = {
      'member-1': { 'topic-A': [0, 4, 8, 12], 'topic-B': [2] },
      'member-2': { 'topic-A': [1, 5, 9, 13], 'topic-B': [3] },
      'member-3': { 'topic-A': [2, 6, 10], 'topic-B': [0, 4] },
      'member-4': { 'topic-A': [3, 7, 11], 'topic-B': [1] },
    };
    const partitionsPerTopic = new Map([['topic-A', 14], ['topic-B', 5]]);
    expect(plain(roundRobin.assign(members, partitionsPerTopic))).toEqual(expected);
    expect(plain(javaRoundRobin.assign(members, partitionsPerTopic))).toEqual(expected);
  });

  it('deals topics in the given order for KafkaJS, in name order for Java', () => {
    const members = [member('a', ['y', 'x']), member('b', ['y', 'x'])];
    const partitionsPerTopic = new Map([['y', 1], ['x', 1]]);
    expect(plain(roundRobin.assign(members, partitionsPerTopic))).toEqual({ a: { y: [0] }, b: { x: [0] } });
    expect(plain(javaRoundRobin.assign(members, partitionsPerTopic))).toEqual({ a: { x: [0] }, b: { y: [0] } });
  });

  it('gives 6 partitions to 3 members 2 each, and 3 each to the two left after one leaves', () => {
    const three = ['a', 'b', 'c'].map((id) => member(id, ['t']));
    expect(plain(roundRobin.assign(three, new Map([['t', 6]])))).toEqual({ a: { t: [0, 3] }, b: { t: [1, 4] }, c: { t: [2, 5] } });
    expect(plain(roundRobin.assign([three[0], three[2]], new Map([['t', 6]])))).toEqual({ a: { t: [0, 2, 4] }, c: { t: [1, 3, 5] } });
  });

  it('skips a member not subscribed to the topic (Java\'s rule) and lists it even with nothing', () => {
    const members = [member('a', ['x']), member('b', ['x', 'y']), member('c', ['z'])];
    const result = javaRoundRobin.assign(members, new Map([['x', 3], ['y', 2]]));
    // x0 a, x1 b, x2 a; y0: a skipped, b; y1: c skipped, a skipped, b
    expect(plain(result)).toEqual({ a: { x: [0, 2] }, b: { x: [1], y: [0, 1] }, c: {} });
  });

  it('keeps every partition with exactly one subscribed member; with identical subscriptions, max - min <= 1', () => {
    for (const assignor of [roundRobin, javaRoundRobin]) {
      for (let seed = 1; seed <= 300; seed++) {
        const mixed = seed % 2 === 0;
        const { members, partitionsPerTopic } = randomGroup(new SeededRandom(seed), mixed);
        const result = assignor.assign(members, partitionsPerTopic);
        expect(validityErrors(members, partitionsPerTopic, result), `${assignor.name} seed ${seed}`).toEqual([]);
        const loads = Object.values(counts(result));
        if (!mixed) expect(Math.max(...loads) - Math.min(...loads), `${assignor.name} seed ${seed}`).toBeLessThanOrEqual(1);
      }
    }
  });
});
