import { describe, expect, it } from 'vitest';
import { clientsReach, cutPairs, formatCut, isCut, isolateCut, parsePartitionSpec, partitionCut, unreachableFrom } from './networkCut';

const nodes = [1, 2, 3, 1000, 1001, 1002];

describe('partitionCut', () => {
  it('separates the groups both ways and keeps each group together', () => {
    const cut = partitionCut([[1, 2, 1000, 1001], [3, 1002]], nodes);
    expect(cut).toEqual({ groups: [[1, 2, 1000, 1001], [3, 1002]], clients: 0 });
    expect(isCut(cut, 1, 3)).toBe(true);
    expect(isCut(cut, 3, 1)).toBe(true);
    expect(isCut(cut, 3, 1002)).toBe(false);
    expect(isCut(cut, 1, 1001)).toBe(false);
    expect(cutPairs(cut, nodes)).toEqual([[1, 3], [1, 1002], [2, 3], [2, 1002], [3, 1000], [3, 1001], [1000, 1002], [1001, 1002]]);
  });

  it('puts the nodes the spec leaves out with the first group', () => {
    expect(partitionCut([[3], [1]], nodes)).toEqual({ groups: [[2, 3, 1000, 1001, 1002], [1]], clients: 0 });
  });

  it('seats the clients with the largest group unless told where', () => {
    // 1002 is left out, so it joins {3}: {3,1002} against {1,2,1000,1001}.
    expect(partitionCut([[3], [1, 2, 1000, 1001]], nodes)!.clients).toBe(1);
    // A tie goes to the first group.
    expect(partitionCut([[3, 1001], [1, 2, 1000]], nodes)!.clients).toBe(0);
    const withThree = partitionCut([[3], [1, 2, 1000, 1001]], nodes, { clientsWith: 3 })!;
    expect(withThree.clients).toBe(0);
    expect(clientsReach(withThree, 3)).toBe(true);
    expect(clientsReach(withThree, 1)).toBe(false);
  });

  it('is no cut when everyone ends up together', () => {
    expect(partitionCut([nodes], nodes)).toBeNull();
    expect(partitionCut([], nodes)).toBeNull();
    expect(partitionCut([[], [1, 2, 3, 1000, 1001, 1002]], nodes)).toBeNull();
  });

  it('refuses unknown nodes and a node in two groups', () => {
    expect(() => partitionCut([[1], [7]], nodes)).toThrow(/no node 7/);
    expect(() => partitionCut([[1, 2], [2]], nodes)).toThrow(/more than one group/);
    expect(() => partitionCut([[1], [2]], nodes, { clientsWith: 9 })).toThrow(/no node 9/);
  });
});

describe('isolateCut', () => {
  it('cuts one node off from all others; the clients stay with the rest', () => {
    const cut = isolateCut(null, 3, nodes);
    expect(cut).toEqual({ groups: [[1, 2, 1000, 1001, 1002], [3]], clients: 0 });
    expect(unreachableFrom(cut, 3, nodes)).toEqual([1, 2, 1000, 1001, 1002]);
    expect(unreachableFrom(cut, 1, nodes)).toEqual([3]);
    expect(clientsReach(cut, 3)).toBe(false);
    expect(formatCut(cut)).toBe('{1,2,1000,1001,1002} | {3}');
  });

  it('adds to an existing cut, and isolating an isolated node changes nothing', () => {
    const first = isolateCut(null, 3, nodes);
    const second = isolateCut(first, 1000, nodes);
    expect(second).toEqual({ groups: [[1, 2, 1001, 1002], [3], [1000]], clients: 0 });
    expect(isCut(second, 3, 1000)).toBe(true);
    expect(isolateCut(second, 3, nodes)).toBe(second);
  });

  it('keeps the clients on their side when a node of that side is isolated', () => {
    const cut = partitionCut([[1, 1000], [2, 3, 1001, 1002]], nodes, { clientsWith: 1 });
    const next = isolateCut(cut, 1, nodes)!;
    expect(next.groups).toEqual([[1000], [2, 3, 1001, 1002], [1]]);
    expect(next.groups[next.clients]).toEqual([1000]);
    expect(isolateCut(null, 2, nodes, { clientsWith: 2 })!.clients).toBe(1);
  });

  it('refuses an unknown node', () => {
    expect(() => isolateCut(null, 4, nodes)).toThrow(/no node 4/);
  });
});

describe('the rest', () => {
  it('no cut reaches everyone', () => {
    expect(isCut(null, 1, 3)).toBe(false);
    expect(clientsReach(null, 3)).toBe(true);
    expect(cutPairs(null, nodes)).toEqual([]);
    expect(formatCut(null)).toBe('no partition');
  });

  it('parses the banner form and the short form into a spec', () => {
    expect(parsePartitionSpec('{1,2,1000} | {3}')).toEqual([[1, 2, 1000], [3]]);
    expect(parsePartitionSpec('1 2 1000|3')).toEqual([[1, 2, 1000], [3]]);
    expect(() => parsePartitionSpec('1 x | 3')).toThrow(/"x" is not a node id/);
  });
});
