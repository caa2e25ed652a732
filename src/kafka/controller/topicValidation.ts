import { KafkaProtocolError } from '../protocol/errors';
import { MAX_TOPIC_NAME_LENGTH, TOPIC_NAME_PATTERN, type ConfigEntry } from '../protocol/messages';
import { TOPIC_CONFIG_DEFAULTS } from '../config';

/** Kafka's Topic.validate: legal characters, length, and not "." or "..". */
export function validateTopicName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', 'Topic name is illegal, it can\'t be empty');
  if (name === '.' || name === '..') throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', 'Topic name cannot be "." or ".."');
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name.slice(0, 40)}...`);
  }
  if (!TOPIC_NAME_PATTERN.test(name)) {
    throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
  }
}

const INTEGER_CONFIGS = new Set(['min.insync.replicas', 'retention.ms', 'retention.bytes', 'segment.bytes', 'max.message.bytes']);

/** Topic configs: known names only, values of the right kind (INVALID_CONFIG otherwise). */
export function validateTopicConfigs(configs: readonly ConfigEntry[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { name, value } of configs ?? []) {
    if (!(name in TOPIC_CONFIG_DEFAULTS)) throw new KafkaProtocolError('INVALID_CONFIG', `Unknown topic config name: ${name}`);
    const text = String(value);
    if (INTEGER_CONFIGS.has(name) && !/^-?\d+$/.test(text)) throw new KafkaProtocolError('INVALID_CONFIG', `Invalid value ${text} for configuration ${name}: Not a number of type LONG`);
    if (name === 'min.insync.replicas' && Number(text) < 1) throw new KafkaProtocolError('INVALID_CONFIG', `Invalid value ${text} for configuration min.insync.replicas: Value must be at least 1`);
    if (name === 'cleanup.policy' && !text.split(',').every((p) => p.trim() === 'delete' || p.trim() === 'compact')) {
      throw new KafkaProtocolError('INVALID_CONFIG', `Invalid value ${text} for configuration cleanup.policy`);
    }
    if (name === 'unclean.leader.election.enable' && text !== 'true' && text !== 'false') throw new KafkaProtocolError('INVALID_CONFIG', `Invalid value ${text} for configuration ${name}: Expected value to be either true or false`);
    if (name === 'compression.type' && !['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'].includes(text)) {
      throw new KafkaProtocolError('INVALID_CONFIG', `Invalid value ${text} for configuration compression.type`);
    }
    result[name] = text;
  }
  return result;
}

/**
 * A manual replica assignment, checked as Kafka's controller does: partitions 0..n-1, each with
 * at least one replica, no broker twice, every broker registered, and the same count for all.
 */
export function validateReplicaAssignment(assignments: readonly { partitionIndex: number; brokerIds: number[] }[], registered: ReadonlySet<number>): number[][] {
  const sorted = [...assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
  const fail = (message: string) => new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', message);
  sorted.forEach((a, i) => {
    if (a.partitionIndex !== i) throw fail(`Partitions must be numbered 0 to ${sorted.length - 1}; found partition ${a.partitionIndex}`);
    if (a.brokerIds.length === 0) throw fail(`Partition ${i} has no replicas`);
    if (new Set(a.brokerIds).size !== a.brokerIds.length) throw fail(`Partition ${i} lists a broker more than once: ${a.brokerIds}`);
    const unknown = a.brokerIds.find((id) => !registered.has(id));
    if (unknown !== undefined) throw fail(`Partition ${i} is assigned to broker ${unknown}, which is not registered`);
    if (a.brokerIds.length !== sorted[0].brokerIds.length) throw fail('All partitions must have the same number of replicas');
  });
  return sorted.map((a) => [...a.brokerIds]);
}
