import { KafkaProtocolError } from '../protocol/errors';

/** A broker as replica placement sees it: its id and broker.rack (null when unset). */
export interface PlacementBroker { id: number; rack: string | null }

function checkArguments(brokerCount: number, numPartitions: number, replicationFactor: number): void {
  if (numPartitions <= 0) throw new KafkaProtocolError('INVALID_PARTITIONS', `Number of partitions must be larger than 0, got ${numPartitions}`);
  if (replicationFactor <= 0) throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', `Replication factor must be larger than 0, got ${replicationFactor}`);
  if (replicationFactor > brokerCount) {
    throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', `Replication factor: ${replicationFactor} larger than available brokers: ${brokerCount}.`);
  }
}

/**
 * Where a partition's (j+1)-th follower goes in a broker list of n: never the first replica's
 * own slot, and a shift that differs per round of partitions so followers do not always pair up
 * the same way (AdminUtils.replicaIndex).
 */
function replicaIndex(firstReplicaIndex: number, shift: number, j: number, n: number): number {
  return (firstReplicaIndex + 1 + ((shift + j) % (n - 1))) % n;
}

/**
 * Kafka's replica assignment (AdminUtils.assignReplicasToBrokers, rack-unaware): the first
 * replica of partition p goes to broker (start + p) mod n, the others follow at a shift that
 * grows every n partitions, so leaders and followers spread evenly. `startIndex` and
 * `replicaShift` are Kafka's random choices, passed in so the result is reproducible.
 */
export function assignReplicas(
  brokerIds: readonly number[], numPartitions: number, replicationFactor: number,
  startIndex: number, replicaShift: number,
): number[][] {
  checkArguments(brokerIds.length, numPartitions, replicationFactor);
  const brokers = [...brokerIds].sort((a, b) => a - b);
  const n = brokers.length;
  const assignment: number[][] = [];
  let shift = replicaShift;
  for (let p = 0; p < numPartitions; p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + startIndex) % n;
    const replicas = [brokers[first]];
    for (let j = 0; j < replicationFactor - 1; j++) replicas.push(brokers[replicaIndex(first, shift, j, n)]);
    assignment.push(replicas);
  }
  return assignment;
}

/**
 * The brokers taken one rack at a time, racks in name order, each rack's brokers in id order
 * (AdminUtils.getRackAlternatedBrokerList): racks a:{0,1} b:{2} c:{3,4} give 0, 2, 3, 1, 4.
 * Consecutive entries sit on different racks for as long as racks have brokers left, so a
 * round-robin over this list spreads each partition's replicas over racks. Brokers without a
 * rack count as one unnamed rack, sorted first.
 */
export function rackAlternatedBrokerList(brokers: readonly PlacementBroker[]): number[] {
  const byRack = new Map<string | null, number[]>();
  for (const b of brokers) {
    const ids = byRack.get(b.rack);
    if (ids) ids.push(b.id);
    else byRack.set(b.rack, [b.id]);
  }
  const racks = [...byRack.keys()].sort((a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
  const queues = racks.map((rack) => byRack.get(rack)!.sort((a, b) => a - b));
  const result: number[] = [];
  for (let round = 0; result.length < brokers.length; round++) {
    for (const queue of queues) if (round < queue.length) result.push(queue[round]);
  }
  return result;
}

/**
 * Kafka's rack-aware assignment (AdminUtils.assignReplicasToBrokersRackAware). Leaders go
 * round-robin over the rack-alternated broker list. Each follower is looked for from the
 * shifted position onwards, skipping a broker whose rack already holds a replica of the
 * partition (unless every rack does) or that already holds one (unless every broker does). So
 * with at least as many racks as replicas no two replicas share a rack, and with fewer racks
 * every rack gets one. The shift is multiplied by the rack count, as Kafka does, so it moves
 * whole rack rounds.
 */
export function assignReplicasRackAware(
  brokers: readonly PlacementBroker[], numPartitions: number, replicationFactor: number,
  startIndex: number, replicaShift: number,
): number[][] {
  checkArguments(brokers.length, numPartitions, replicationFactor);
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack] as const));
  const numRacks = new Set(rackOf.values()).size;
  const arranged = rackAlternatedBrokerList(brokers);
  const n = arranged.length;
  const assignment: number[][] = [];
  let shift = replicaShift;
  for (let p = 0; p < numPartitions; p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + startIndex) % n;
    const leader = arranged[first];
    const replicas = [leader];
    const racksUsed = new Set([rackOf.get(leader)]);
    const brokersUsed = new Set([leader]);
    let k = 0;
    for (let j = 0; j < replicationFactor - 1; j++) {
      for (;;) {
        const broker = arranged[replicaIndex(first, shift * numRacks, k, n)];
        const rack = rackOf.get(broker);
        k++;
        if ((racksUsed.has(rack) && racksUsed.size < numRacks) || (brokersUsed.has(broker) && brokersUsed.size < n)) continue;
        replicas.push(broker);
        racksUsed.add(rack);
        brokersUsed.add(broker);
        break;
      }
    }
    assignment.push(replicas);
  }
  return assignment;
}

/**
 * The controller's replica placement for a new topic. No broker with a rack: the rack-unaware
 * assignment. Otherwise rack-aware. When only some brokers have broker.rack, Kafka's old
 * AdminUtils refused ("Not all brokers have rack information"), but the KRaft controller
 * (StripedReplicaPlacer) places anyway, treating the brokers without a rack as one more rack;
 * this controller is KRaft, so it does the same.
 */
export function placeReplicas(
  brokers: readonly PlacementBroker[], numPartitions: number, replicationFactor: number,
  startIndex: number, nextReplicaShift: number,
): number[][] {
  if (brokers.every((b) => b.rack === null)) {
    return assignReplicas(brokers.map((b) => b.id), numPartitions, replicationFactor, startIndex, nextReplicaShift);
  }
  return assignReplicasRackAware(brokers, numPartitions, replicationFactor, startIndex, nextReplicaShift);
}
