/**
 * The records of `__cluster_metadata`, with the names and fields of Kafka's KRaft metadata
 * records (metadata/src/main/resources/common/metadata/*.json). Stored as JSON values inside
 * real v2 record batches.
 */
export type MetadataRecord =
  | { type: 'FeatureLevelRecord'; name: string; featureLevel: number }
  | { type: 'RegisterBrokerRecord'; brokerId: number; incarnationId: string; brokerEpoch: number; rack: string | null; fenced: boolean; endPoints: { name: string; host: string; port: number }[] }
  | { type: 'UnregisterBrokerRecord'; brokerId: number; brokerEpoch: number }
  | { type: 'FenceBrokerRecord'; id: number; epoch: number }
  | { type: 'UnfenceBrokerRecord'; id: number; epoch: number }
  | { type: 'TopicRecord'; name: string; topicId: string }
  | { type: 'PartitionRecord'; partitionId: number; topicId: string; replicas: number[]; isr: number[]; leader: number; leaderEpoch: number; partitionEpoch: number }
  | { type: 'PartitionChangeRecord'; partitionId: number; topicId: string; isr?: number[]; leader?: number; replicas?: number[] }
  | { type: 'ConfigRecord'; resourceType: 'TOPIC' | 'BROKER'; resourceName: string; name: string; value: string | null }
  | { type: 'RemoveTopicRecord'; topicId: string }
  /** The next producer id block handed out (KIP-730): ids below nextProducerId are taken. */
  | { type: 'ProducerIdsRecord'; brokerId: number; brokerEpoch: number; nextProducerId: number }
  /** KIP-595's LeaderChangeMessage control record: a new quorum leader's first write, committed before anything else of its epoch. */
  | { type: 'LeaderChangeMessage'; leaderId: number; voters: number[]; grantingVoters: number[] };

export type MetadataRecordType = MetadataRecord['type'];

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const encodeMetadataRecord = (record: MetadataRecord): Uint8Array => encoder.encode(JSON.stringify(record));
export const decodeMetadataRecord = (bytes: Uint8Array): MetadataRecord => JSON.parse(decoder.decode(bytes)) as MetadataRecord;
