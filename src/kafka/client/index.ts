/**
 * The KafkaJS-shaped client, exported under KafkaJS's names so `import { Kafka, CompressionTypes,
 * Partitioners, logLevel } from 'kafkajs'` code runs as pasted (with the playground's context).
 */
import { createDefaultPartitioner } from './partitioner';

export { Kafka, type ClientContext, type KafkaConfig } from './kafka';
export { Producer, CompressionTypes, PRODUCER_EVENTS, type ProducerConfig, type ProducerRecord, type ProducerBatch, type Message, type RecordMetadata, type TopicMessages } from './producer';
export {
  Consumer, CONSUMER_EVENTS, PartitionAssigners, type ConsumerConfig, type ConsumerRunConfig, type EachMessagePayload, type EachBatchPayload,
  type Batch, type KafkaMessage, type PartitionAssigner,
} from './consumer';
export type { GroupDescription } from './consumerGroup';
export type { Assignor } from '../group/assignors/types';
export {
  Admin, ADMIN_EVENTS, AlterConfigOpTypes, ConfigResourceTypes, ConfigSource, KafkaJSDeleteGroupsError, KafkaJSDeleteTopicRecordsError,
  type AdminConfig, type ITopicConfig, type ITopicMetadata,
} from './admin';
export { KafkaBuffer } from './buffer';
export { KafkaJSError, KafkaJSNonRetriableError, KafkaJSTimeout, KafkaJSProtocolError, KafkaProtocolError } from './errors';
export type { RetryOptions } from './retry';
export type { InstrumentationEvent, Logger } from './instrumentation';
export type { Partitioner, PartitionerArgs } from './partitioner';

export const logLevel = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;
export type logLevel = (typeof logLevel)[keyof typeof logLevel];

/**
 * KafkaJS's partitioner factories (`createPartitioner: Partitioners.DefaultPartitioner`). In
 * KafkaJS 2.x DefaultPartitioner is the Java-compatible one; LegacyPartitioner (KafkaJS 1.x's
 * default) is the same one here.
 */
export const Partitioners = {
  DefaultPartitioner: () => createDefaultPartitioner(),
  JavaCompatiblePartitioner: () => createDefaultPartitioner(),
  LegacyPartitioner: () => createDefaultPartitioner(),
};
