import { KafkaProtocolError } from '../protocol/errors';

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
  if (numPartitions <= 0) throw new KafkaProtocolError('INVALID_PARTITIONS', `Number of partitions must be larger than 0, got ${numPartitions}`);
  if (replicationFactor <= 0) throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', `Replication factor must be larger than 0, got ${replicationFactor}`);
  if (replicationFactor > brokerIds.length) {
    throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', `Replication factor: ${replicationFactor} larger than available brokers: ${brokerIds.length}.`);
  }
  const brokers = [...brokerIds].sort((a, b) => a - b);
  const n = brokers.length;
  const assignment: number[][] = [];
  let shift = replicaShift;
  for (let p = 0; p < numPartitions; p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + startIndex) % n;
    const replicas = [brokers[first]];
    for (let j = 0; j < replicationFactor - 1; j++) {
      replicas.push(brokers[(first + 1 + ((shift + j) % (n - 1))) % n]);
    }
    assignment.push(replicas);
  }
  return assignment;
}
