import { describe, expect, it } from 'vitest';
import { assignReplicas } from './replicaPlacement';

describe('assignReplicas (Kafka rack-unaware assignment)', () => {
  it('matches Kafka\'s AdminUtils example: 5 brokers, 10 partitions, RF 3, start 0, shift 0', () => {
    // Expected values from Kafka's AdminRackAwareTest/AssignmentTest for brokers 0..4.
    expect(assignReplicas([0, 1, 2, 3, 4], 10, 3, 0, 0)).toEqual([
      [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
      [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
    ]);
  });

  it('puts every replica of a partition on a different broker and spreads leaders evenly', () => {
    const assignment = assignReplicas([1, 2, 3], 6, 3, 2, 1);
    for (const replicas of assignment) expect(new Set(replicas).size).toBe(3);
    const leaders = assignment.map((r) => r[0]);
    for (const id of [1, 2, 3]) expect(leaders.filter((l) => l === id)).toHaveLength(2);
  });

  it('rejects a replication factor above the broker count with INVALID_REPLICATION_FACTOR', () => {
    expect(() => assignReplicas([1, 2], 1, 3, 0, 0)).toThrow(expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR' }));
    expect(() => assignReplicas([1, 2], 0, 1, 0, 0)).toThrow(expect.objectContaining({ type: 'INVALID_PARTITIONS' }));
  });
});
