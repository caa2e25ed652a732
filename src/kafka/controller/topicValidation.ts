import { KafkaProtocolError } from '../protocol/errors';
import { MAX_TOPIC_NAME_LENGTH, TOPIC_NAME_PATTERN, type ConfigEntry } from '../protocol/messages';
import { TOPIC_CONFIGS, type ConfigTypeName } from '../config';

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

const invalid = (name: string, value: string, why: string) => new KafkaProtocolError('INVALID_CONFIG', `Invalid value ${value} for configuration ${name}: ${why}`);
const INT_RANGE: Partial<Record<ConfigTypeName, [number, number]>> = { INT: [-(2 ** 31), 2 ** 31 - 1], SHORT: [-(2 ** 15), 2 ** 15 - 1], LONG: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] };

/**
 * One topic config, checked as Kafka's LogConfig does (ConfigDef types and validators): a known
 * name, and a value of its type within its range. Returns the value as stored; throws INVALID_CONFIG.
 */
export function validateTopicConfig(name: string, value: string): string {
  const def = Object.hasOwn(TOPIC_CONFIGS, name) ? TOPIC_CONFIGS[name] : undefined;
  if (!def) throw new KafkaProtocolError('INVALID_CONFIG', `Unknown topic config name: ${name}`);
  const text = String(value).trim();
  const range = INT_RANGE[def.type];
  if (range) {
    if (!/^-?\d+$/.test(text) || Number(text) < range[0] || Number(text) > range[1]) throw invalid(name, text, `Not a number of type ${def.type}`);
    if (def.atLeast !== undefined && Number(text) < def.atLeast) throw invalid(name, text, `Value must be at least ${def.atLeast}`);
  }
  if (def.type === 'BOOLEAN' && text.toLowerCase() !== 'true' && text.toLowerCase() !== 'false') throw invalid(name, text, 'Expected value to be either true or false');
  if (def.type === 'BOOLEAN') return text.toLowerCase();
  if (def.validValues && def.type === 'LIST') {
    const items = text.split(',').map((item) => item.trim());
    if (items.some((item) => !def.validValues!.includes(item))) throw invalid(name, `[${items.join(', ')}]`, `String must be one of: ${def.validValues.join(', ')}`);
    return items.join(',');
  }
  if (def.validValues && !def.validValues.includes(text)) throw invalid(name, text, `String must be one of: ${def.validValues.join(', ')}`);
  return text;
}

/** Topic configs: known names only, values of the right kind (INVALID_CONFIG otherwise). */
export function validateTopicConfigs(configs: readonly ConfigEntry[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { name, value } of configs ?? []) result[name] = validateTopicConfig(name, String(value));
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
