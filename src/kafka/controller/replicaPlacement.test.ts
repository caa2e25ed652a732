import { describe, expect, it } from 'vitest';
import { assignReplicas, assignReplicasRackAware, placeReplicas, rackAlternatedBrokerList, type PlacementBroker } from './replicaPlacement';

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

const racked = (map: Record<number, string>): PlacementBroker[] =>
  Object.entries(map).map(([id, rack]) => ({ id: Number(id), rack }));

/** What Kafka's RackAwareTest.checkReplicaDistribution looks at. */
function distribution(assignment: number[][], brokers: PlacementBroker[]) {
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack]));
  const leaders = new Map<number, number>();
  const replicas = new Map<number, number>();
  for (const r of assignment) {
    leaders.set(r[0], (leaders.get(r[0]) ?? 0) + 1);
    for (const b of r) replicas.set(b, (replicas.get(b) ?? 0) + 1);
  }
  return {
    leaders, replicas,
    racksPerPartition: assignment.map((r) => new Set(r.map((b) => rackOf.get(b))).size),
  };
}

function checkDistribution(
  assignment: number[][], brokers: PlacementBroker[], numPartitions: number, rf: number,
  verify: { leaders?: boolean; replicas?: boolean } = {},
) {
  expect(assignment).toHaveLength(numPartitions);
  const d = distribution(assignment, brokers);
  for (const r of assignment) {
    expect(r).toHaveLength(rf);
    expect(new Set(r).size).toBe(rf);
  }
  // Rack-aware: as many racks as replicas, each on its own rack.
  for (const count of d.racksPerPartition) expect(count).toBe(rf);
  if (verify.leaders !== false) {
    for (const b of brokers) expect(d.leaders.get(b.id) ?? 0).toBe(numPartitions / brokers.length);
  }
  if (verify.replicas !== false) {
    for (const b of brokers) expect(d.replicas.get(b.id) ?? 0).toBe((numPartitions * rf) / brokers.length);
  }
}

/** Every start index and shift Kafka might draw for this broker count. */
function* draws(n: number): Generator<[number, number]> {
  for (let start = 0; start < n; start++) for (let shift = 0; shift < n; shift++) yield [start, shift];
}

describe('rack-aware assignment (Kafka\'s AdminRackAwareTest cases)', () => {
  const sixOnThree = racked({ 0: 'rack1', 1: 'rack2', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack1' });

  it('alternates racks in the broker list', () => {
    const rackMap = { 0: 'rack1', 1: 'rack3', 2: 'rack3', 3: 'rack2', 4: 'rack2', 5: 'rack1' };
    expect(rackAlternatedBrokerList(racked(rackMap))).toEqual([0, 3, 1, 5, 4, 2]);
    const { 5: _dropped, ...without5 } = rackMap;
    expect(rackAlternatedBrokerList(racked(without5))).toEqual([0, 3, 1, 4, 2]);
  });

  it('gives Kafka\'s assignment for 6 brokers on 3 racks, 7 partitions, RF 3, start 0', () => {
    const brokers = racked({ 0: 'rack1', 1: 'rack3', 2: 'rack3', 3: 'rack2', 4: 'rack2', 5: 'rack1' });
    expect(assignReplicasRackAware(brokers, 7, 3, 0, 0)).toEqual([
      [0, 3, 1], [3, 1, 5], [1, 5, 4], [5, 4, 2], [4, 2, 0], [2, 0, 3],
      // The second round shifts the followers instead of repeating partition 0's [0, 3, 1].
      [0, 4, 2],
    ]);
  });

  it('spreads 6 partitions with RF 3 over racks, leaders and replicas evenly (start 2, and every draw)', () => {
    checkDistribution(assignReplicasRackAware(sixOnThree, 6, 3, 2, 2), sixOnThree, 6, 3);
    for (const [start, shift] of draws(6)) checkDistribution(assignReplicasRackAware(sixOnThree, 6, 3, start, shift), sixOnThree, 6, 3);
  });

  it('keeps each partition on 3 racks with uneven replicas (13 partitions)', () => {
    checkDistribution(assignReplicasRackAware(sixOnThree, 13, 3, 0, 0), sixOnThree, 13, 3, { leaders: false, replicas: false });
  });

  it('keeps leaders even with uneven racks (12 partitions, rack1 has 3 brokers)', () => {
    const uneven = racked({ 0: 'rack1', 1: 'rack1', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack1' });
    for (const [start, shift] of draws(6)) {
      checkDistribution(assignReplicasRackAware(uneven, 12, 3, start, shift), uneven, 12, 3, { replicas: false });
    }
  });

  it('RF 2: 12 and 6 partitions over 6 brokers, and 3 partitions over 3 brokers on 3 racks', () => {
    for (const [start, shift] of draws(6)) {
      checkDistribution(assignReplicasRackAware(sixOnThree, 12, 2, start, shift), sixOnThree, 12, 2);
      checkDistribution(assignReplicasRackAware(sixOnThree, 6, 2, start, shift), sixOnThree, 6, 2);
    }
    const three = racked({ 0: 'rack1', 1: 'rack2', 4: 'rack3' });
    for (const [start, shift] of draws(3)) checkDistribution(assignReplicasRackAware(three, 3, 2, start, shift), three, 3, 2);
  });

  it('96 partitions over 12 brokers on 3 racks', () => {
    const twelve = racked({
      0: 'rack1', 1: 'rack2', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack1',
      6: 'rack1', 7: 'rack2', 8: 'rack2', 9: 'rack3', 10: 'rack1', 11: 'rack3',
    });
    checkDistribution(assignReplicasRackAware(twelve, 96, 3, 5, 7), twelve, 96, 3);
  });

  it('more replicas than racks: every rack gets one; fewer: at most one per rack', () => {
    const brokers = racked({ 0: 'rack1', 1: 'rack2', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack2' });
    for (const [start, shift] of draws(6)) {
      const five = distribution(assignReplicasRackAware(brokers, 6, 5, start, shift), brokers);
      expect(five.racksPerPartition).toEqual([3, 3, 3, 3, 3, 3]);
      const two = distribution(assignReplicasRackAware(brokers, 6, 2, start, shift), brokers);
      expect(two.racksPerPartition).toEqual([2, 2, 2, 2, 2, 2]);
    }
  });

  it('a single rack: one rack per partition, one leader per broker', () => {
    const brokers = racked({ 0: 'rack1', 1: 'rack1', 2: 'rack1', 3: 'rack1', 4: 'rack1', 5: 'rack1' });
    const d = distribution(assignReplicasRackAware(brokers, 6, 3, 1, 4), brokers);
    expect(d.racksPerPartition).toEqual([1, 1, 1, 1, 1, 1]);
    for (const b of brokers) expect(d.leaders.get(b.id)).toBe(1);
  });

  it('skips a broker that already holds a replica once every rack is used (RF 4 on racks a, b, c)', () => {
    const brokers = racked({ 0: 'a', 1: 'b', 2: 'c', 3: 'a', 4: 'a' });
    for (const [start, shift] of draws(5)) {
      const assignment = assignReplicasRackAware(brokers, 6, 4, start, shift);
      for (const r of assignment) {
        expect(new Set(r).size).toBe(4);
        expect(distribution([r], brokers).racksPerPartition[0]).toBe(3);
      }
    }
  });
});

describe('placeReplicas (the controller\'s entry point)', () => {
  /** A seeded LCG: property tests over many shapes, reproducible. */
  const random = (seed: number) => {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  };

  it('uses the rack-unaware assignment when no broker has a rack', () => {
    const brokers = [0, 1, 2, 3, 4].map((id) => ({ id, rack: null }));
    expect(placeReplicas(brokers, 10, 3, 0, 0)).toEqual(assignReplicas([0, 1, 2, 3, 4], 10, 3, 0, 0));
  });

  it('uses the rack-aware assignment when brokers have racks', () => {
    const brokers = racked({ 0: 'rack1', 1: 'rack3', 2: 'rack3', 3: 'rack2', 4: 'rack2', 5: 'rack1' });
    expect(placeReplicas(brokers, 7, 3, 0, 0)[6]).toEqual([0, 4, 2]);
  });

  it('3 brokers on 3 racks, RF 3: every partition spans the 3 racks, leaders spread evenly', () => {
    const next = random(1);
    const brokers = [{ id: 1, rack: 'rack-a' }, { id: 2, rack: 'rack-b' }, { id: 3, rack: 'rack-c' }];
    for (let run = 0; run < 200; run++) {
      const partitions = 3 * (1 + Math.floor(next() * 8));
      const assignment = placeReplicas(brokers, partitions, 3, Math.floor(next() * 3), Math.floor(next() * 3));
      const d = distribution(assignment, brokers);
      expect(d.racksPerPartition.every((c) => c === 3)).toBe(true);
      for (const b of brokers) expect(d.leaders.get(b.id)).toBe(partitions / 3);
    }
  });

  it('RF 2 over 3 racks never puts both replicas on one rack, whatever the brokers per rack', () => {
    const next = random(2);
    for (let run = 0; run < 300; run++) {
      const count = 3 + Math.floor(next() * 7);
      const brokers: PlacementBroker[] = [];
      for (let i = 0; i < count; i++) brokers.push({ id: 10 + i * 3, rack: i < 3 ? `r${i}` : `r${Math.floor(next() * 3)}` });
      const partitions = 1 + Math.floor(next() * 30);
      const assignment = placeReplicas(brokers, partitions, 2, Math.floor(next() * count), Math.floor(next() * count));
      const d = distribution(assignment, brokers);
      expect(d.racksPerPartition.every((c) => c === 2)).toBe(true);
      // Leaders round-robin: no broker leads more than one partition above another.
      const counts = brokers.map((b) => d.leaders.get(b.id) ?? 0);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it('with some brokers lacking a rack, counts them as one rack of their own (as KRaft does)', () => {
    const brokers: PlacementBroker[] = [{ id: 1, rack: 'a' }, { id: 2, rack: null }, { id: 3, rack: 'b' }, { id: 4, rack: null }];
    expect(rackAlternatedBrokerList(brokers)).toEqual([2, 1, 3, 4]);
    for (const [start, shift] of draws(4)) {
      const d = distribution(placeReplicas(brokers, 8, 3, start, shift), brokers);
      expect(d.racksPerPartition.every((c) => c === 3)).toBe(true);
    }
  });

  it('rejects a replication factor above the broker count', () => {
    expect(() => placeReplicas([{ id: 1, rack: 'a' }, { id: 2, rack: 'b' }], 1, 3, 0, 0))
      .toThrow(expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR' }));
  });
});
