/**
 * IncrementalAlterConfigs (KIP-339) in the controller, as Kafka's ConfigurationControlManager:
 * every operation of a resource is checked against the current image, then the changed configs
 * become ConfigRecords (value null: the override is removed and the default applies again).
 * Either all of a resource's operations apply or none does.
 */
import { ALTER_CONFIG_OPS, CONFIG_RESOURCE_TYPES, TOPIC_CONFIGS } from '../config';
import { KafkaProtocolError } from '../protocol/errors';
import type { IncrementalAlterConfigsRequest } from '../protocol/messages';
import type { MetadataImage } from '../metadata/image';
import type { MetadataRecord } from '../metadata/records';
import { validateTopicConfig, validateTopicName } from './topicValidation';

type AlterResource = IncrementalAlterConfigsRequest['resources'][number];

/** The ConfigRecords that apply `resource`'s operations to `image`; throws the Kafka error that refuses them. */
export function configChangeRecords(image: MetadataImage, resource: AlterResource): MetadataRecord[] {
  const names = resource.configs.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new KafkaProtocolError('INVALID_REQUEST', `Error due to duplicate config keys: ${names.filter((n, i) => names.indexOf(n) !== i).join(', ')}`);
  if (resource.resourceType === CONFIG_RESOURCE_TYPES.BROKER) {
    // Kafka updates only configs it declares dynamic; every broker config here comes from server.properties.
    throw new KafkaProtocolError('INVALID_REQUEST', `Cannot update these configs dynamically: ${names.join(', ')} (the playground's broker configs are static, from server.properties)`);
  }
  if (resource.resourceType !== CONFIG_RESOURCE_TYPES.TOPIC) throw new KafkaProtocolError('INVALID_REQUEST', `Unexpected resource type ${resource.resourceType}`);
  validateTopicName(resource.resourceName);
  const topic = image.topics.get(resource.resourceName);
  if (!topic) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${resource.resourceName}' does not exist.`);

  const records: MetadataRecord[] = [];
  for (const { name, configOperation, value } of resource.configs) {
    const def = Object.hasOwn(TOPIC_CONFIGS, name) ? TOPIC_CONFIGS[name] : undefined;
    if (!def) throw new KafkaProtocolError('INVALID_CONFIG', `Unknown topic config name: ${name}`);
    const current = topic.configs[name];
    let next: string | null;
    switch (configOperation) {
      case ALTER_CONFIG_OPS.SET:
        if (value === null || value === undefined) throw new KafkaProtocolError('INVALID_REQUEST', `Null value not supported for : ${name}`);
        next = validateTopicConfig(name, value);
        break;
      case ALTER_CONFIG_OPS.DELETE:
        next = null;
        break;
      case ALTER_CONFIG_OPS.APPEND:
      case ALTER_CONFIG_OPS.SUBTRACT: {
        const verb = configOperation === ALTER_CONFIG_OPS.APPEND ? 'append' : 'subtract';
        if (def.type !== 'LIST') throw new KafkaProtocolError('INVALID_CONFIG', `Config value ${verb} is not allowed for config key: ${name}`);
        const items = (current ?? def.default).split(',').map((s) => s.trim()).filter(Boolean);
        const given = String(value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const result = verb === 'append' ? [...items, ...given.filter((g) => !items.includes(g))] : items.filter((i) => !given.includes(i));
        next = validateTopicConfig(name, result.join(','));
        break;
      }
      default:
        throw new KafkaProtocolError('INVALID_REQUEST', `Unknown alter config operation ${configOperation} for ${name}`);
    }
    // As Kafka: a config that would not change writes no record.
    if (next !== (current ?? null)) records.push({ type: 'ConfigRecord', resourceType: 'TOPIC', resourceName: topic.name, name, value: next });
  }
  return records;
}
