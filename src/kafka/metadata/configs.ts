/**
 * DescribeConfigs answers, as a broker computes them from its metadata image (topic overrides
 * are ConfigRecords) and its own static config (server.properties). Each config's value is its
 * first synonym in Kafka's precedence: topic override, then the broker's static setting, then
 * Kafka's default.
 */
import {
  BROKER_CONFIG_DEFS, CONFIG_SOURCES, CONFIG_TYPES, TOPIC_CONFIGS, controllerAddress,
  type BrokerConfig, type BrokerConfigDef,
} from '../config';
import type { DescribeConfigsResult } from '../protocol/messages';
import type { TopicImage } from './image';

type Synonym = DescribeConfigsResult['synonyms'][number];

/** A broker config's value as DescribeConfigs shows it (a string, or null when unset). */
export function brokerConfigValue(config: BrokerConfig, def: BrokerConfigDef): string | null {
  const value = config[def.key];
  if (value === null || value === undefined) return null;
  if (def.key === 'controller.quorum.voters') return (value as number[]).map((id) => `${id}@${controllerAddress(id)}:9093`).join(',');
  return String(value);
}

/** Where a static broker config's value comes from: DEFAULT_CONFIG when it is Kafka's default, else server.properties. */
function brokerSource(def: BrokerConfigDef, value: string | null): number {
  return def.kafkaDefault !== undefined && value === def.kafkaDefault ? CONFIG_SOURCES.DEFAULT_CONFIG : CONFIG_SOURCES.STATIC_BROKER_CONFIG;
}

const wanted = (keys: readonly string[] | null, name: string) => keys === null || keys.length === 0 || keys.includes(name);

/** The topic's configs: its overrides (TOPIC_CONFIG), else the broker's setting, else Kafka's default. */
export function describeTopicConfigs(
  topic: TopicImage, broker: BrokerConfig, keys: readonly string[] | null,
  options: { includeSynonyms: boolean; includeDocumentation: boolean },
): DescribeConfigsResult[] {
  const results: DescribeConfigsResult[] = [];
  for (const [name, def] of Object.entries(TOPIC_CONFIGS)) {
    if (!wanted(keys, name)) continue;
    const synonyms: Synonym[] = [];
    const override = topic.configs[name];
    if (override !== undefined) synonyms.push({ name, value: override, source: CONFIG_SOURCES.TOPIC_CONFIG });
    const brokerDef = BROKER_CONFIG_DEFS.find((d) => d.name === def.brokerSynonym);
    if (brokerDef) {
      const value = brokerConfigValue(broker, brokerDef);
      if (brokerSource(brokerDef, value) === CONFIG_SOURCES.STATIC_BROKER_CONFIG) synonyms.push({ name: def.brokerSynonym, value, source: CONFIG_SOURCES.STATIC_BROKER_CONFIG });
    }
    synonyms.push({ name: def.brokerSynonym, value: def.default, source: CONFIG_SOURCES.DEFAULT_CONFIG });
    results.push({
      name, value: synonyms[0].value, readOnly: false, configSource: synonyms[0].source, isSensitive: false,
      synonyms: options.includeSynonyms ? synonyms : [], configType: CONFIG_TYPES[def.type],
      documentation: options.includeDocumentation ? def.doc : null,
    });
  }
  return results;
}

/** This broker's static configs: read-only (no dynamic broker configs in the playground). */
export function describeBrokerConfigs(
  broker: BrokerConfig, keys: readonly string[] | null,
  options: { includeSynonyms: boolean; includeDocumentation: boolean },
): DescribeConfigsResult[] {
  return BROKER_CONFIG_DEFS.filter((def) => wanted(keys, def.name)).map((def) => {
    const value = brokerConfigValue(broker, def);
    const source = brokerSource(def, value);
    const synonyms: Synonym[] = [{ name: def.name, value, source }];
    if (source === CONFIG_SOURCES.STATIC_BROKER_CONFIG && def.kafkaDefault !== undefined) synonyms.push({ name: def.name, value: def.kafkaDefault, source: CONFIG_SOURCES.DEFAULT_CONFIG });
    return {
      name: def.name, value, readOnly: true, configSource: source, isSensitive: false,
      synonyms: options.includeSynonyms ? synonyms : [], configType: CONFIG_TYPES[def.type],
      documentation: options.includeDocumentation ? def.doc : null,
    };
  });
}
