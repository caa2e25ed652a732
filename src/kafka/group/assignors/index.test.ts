import { describe, expect, it } from 'vitest';
import { ASSIGNORS, JAVA_DEFAULT_ASSIGNORS, KAFKAJS_DEFAULT_ASSIGNOR } from './index';
import { member } from './testing';

describe('ASSIGNORS', () => {
  it('finds every assignor by its protocol name, the defaults among them', () => {
    expect([...ASSIGNORS.keys()].sort()).toEqual(['RoundRobinAssigner', 'cooperative-sticky', 'range', 'roundrobin', 'sticky']);
    for (const [name, assignor] of ASSIGNORS) expect(assignor.name).toBe(name);
    for (const name of [...JAVA_DEFAULT_ASSIGNORS, KAFKAJS_DEFAULT_ASSIGNOR]) expect(ASSIGNORS.has(name)).toBe(true);
    expect(ASSIGNORS.get('cooperative-sticky')?.rebalanceProtocol).toBe('COOPERATIVE');
  });

  it('each gives 6 partitions to 3 members 2 each, and lists a member that subscribes to nothing that exists', () => {
    for (const assignor of ASSIGNORS.values()) {
      const members = [member('a', ['t']), member('b', ['t']), member('c', ['t']), member('d', ['gone'])];
      const sizes = [...assignor.assign(members, new Map([['t', 6]]))].map(([id, list]) => [id, list.flatMap((tp) => tp.partitions).length]);
      expect(sizes, assignor.name).toEqual([['a', 2], ['b', 2], ['c', 2], ['d', 0]]);
    }
  });
});
