import type { MetadataRecord } from './records';

export interface BrokerRegistration {
  id: number; incarnationId: string; epoch: number; rack: string | null; fenced: boolean;
  endPoints: { name: string; host: string; port: number }[];
}

export interface PartitionRegistration {
  topic: string; topicId: string; partition: number;
  replicas: number[]; isr: number[]; leader: number; leaderEpoch: number; partitionEpoch: number;
}

export interface TopicImage {
  name: string; topicId: string; partitions: PartitionRegistration[]; configs: Record<string, string>;
}

/**
 * The cluster's metadata at one offset of `__cluster_metadata`: what every broker and
 * controller derives by replaying the same records in the same order. Immutable: apply()
 * returns a new image (the MetadataDelta step), so a published image never changes under a reader.
 */
export class MetadataImage {
  static readonly EMPTY = new MetadataImage(-1, new Map(), new Map(), new Map(), 0, 0);

  private constructor(
    /** Offset of the last record applied; -1 for none. */
    readonly offset: number,
    readonly brokers: ReadonlyMap<number, BrokerRegistration>,
    readonly topics: ReadonlyMap<string, TopicImage>,
    readonly topicNamesById: ReadonlyMap<string, string>,
    readonly metadataVersion: number,
    /** The first producer id not yet handed out to a broker (ProducerIdsRecord). */
    readonly nextProducerId: number,
  ) {}

  apply(records: readonly { offset: number; record: MetadataRecord }[]): MetadataImage {
    if (records.length === 0) return this;
    const brokers = new Map(this.brokers);
    const topics = new Map(this.topics);
    const names = new Map(this.topicNamesById);
    let version = this.metadataVersion;
    let nextProducerId = this.nextProducerId;
    let offset = this.offset;
    const topicById = (topicId: string): TopicImage | undefined => {
      const name = names.get(topicId);
      return name === undefined ? undefined : topics.get(name);
    };
    for (const { offset: recordOffset, record } of records) {
      // Replaying a record twice must not move the image back: offsets only go forward.
      if (recordOffset <= offset) continue;
      offset = recordOffset;
      switch (record.type) {
        case 'FeatureLevelRecord':
          if (record.name === 'metadata.version') version = record.featureLevel;
          break;
        case 'RegisterBrokerRecord':
          brokers.set(record.brokerId, {
            id: record.brokerId, incarnationId: record.incarnationId, epoch: record.brokerEpoch,
            rack: record.rack, fenced: record.fenced, endPoints: record.endPoints,
          });
          break;
        case 'UnregisterBrokerRecord':
          brokers.delete(record.brokerId);
          break;
        case 'FenceBrokerRecord':
        case 'UnfenceBrokerRecord': {
          const broker = brokers.get(record.id);
          if (broker && broker.epoch === record.epoch) brokers.set(record.id, { ...broker, fenced: record.type === 'FenceBrokerRecord' });
          break;
        }
        case 'TopicRecord':
          names.set(record.topicId, record.name);
          topics.set(record.name, { name: record.name, topicId: record.topicId, partitions: [], configs: {} });
          break;
        case 'PartitionRecord': {
          const topic = topicById(record.topicId);
          if (!topic) break;
          const partitions = topic.partitions.slice();
          partitions[record.partitionId] = {
            topic: topic.name, topicId: record.topicId, partition: record.partitionId, replicas: record.replicas,
            isr: record.isr, leader: record.leader, leaderEpoch: record.leaderEpoch, partitionEpoch: record.partitionEpoch,
          };
          topics.set(topic.name, { ...topic, partitions });
          break;
        }
        case 'PartitionChangeRecord': {
          const topic = topicById(record.topicId);
          const current = topic?.partitions[record.partitionId];
          if (!topic || !current) break;
          const leaderChanged = record.leader !== undefined && record.leader !== current.leader;
          const partitions = topic.partitions.slice();
          partitions[record.partitionId] = {
            ...current,
            isr: record.isr ?? current.isr,
            replicas: record.replicas ?? current.replicas,
            leader: record.leader ?? current.leader,
            // As Kafka: a new leader bumps the leader epoch; every change bumps the partition epoch.
            leaderEpoch: leaderChanged ? current.leaderEpoch + 1 : current.leaderEpoch,
            partitionEpoch: current.partitionEpoch + 1,
          };
          topics.set(topic.name, { ...topic, partitions });
          break;
        }
        case 'ConfigRecord': {
          if (record.resourceType !== 'TOPIC') break;
          const topic = topics.get(record.resourceName);
          if (!topic) break;
          const configs = { ...topic.configs };
          if (record.value === null) delete configs[record.name];
          else configs[record.name] = record.value;
          topics.set(topic.name, { ...topic, configs });
          break;
        }
        case 'ProducerIdsRecord':
          nextProducerId = Math.max(nextProducerId, record.nextProducerId);
          break;
        case 'RemoveTopicRecord': {
          const name = names.get(record.topicId);
          if (name !== undefined) topics.delete(name);
          names.delete(record.topicId);
          break;
        }
      }
    }
    return new MetadataImage(offset, brokers, topics, names, version, nextProducerId);
  }

  /**
   * The records that rebuild this image from nothing: a metadata snapshot's contents, as
   * Kafka's controller writes them (features, brokers, topics with configs and partitions, producer ids).
   */
  toSnapshotRecords(): MetadataRecord[] {
    const records: MetadataRecord[] = [];
    if (this.metadataVersion > 0) records.push({ type: 'FeatureLevelRecord', name: 'metadata.version', featureLevel: this.metadataVersion });
    for (const b of this.brokers.values()) {
      records.push({ type: 'RegisterBrokerRecord', brokerId: b.id, incarnationId: b.incarnationId, brokerEpoch: b.epoch, rack: b.rack, fenced: b.fenced, endPoints: b.endPoints });
    }
    for (const topic of this.topics.values()) {
      records.push({ type: 'TopicRecord', name: topic.name, topicId: topic.topicId });
      for (const [name, value] of Object.entries(topic.configs)) records.push({ type: 'ConfigRecord', resourceType: 'TOPIC', resourceName: topic.name, name, value });
      for (const p of topic.partitions) {
        if (p) records.push({ type: 'PartitionRecord', partitionId: p.partition, topicId: p.topicId, replicas: p.replicas, isr: p.isr, leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch });
      }
    }
    if (this.nextProducerId > 0) records.push({ type: 'ProducerIdsRecord', brokerId: -1, brokerEpoch: -1, nextProducerId: this.nextProducerId });
    return records;
  }

  /** The image a snapshot's records describe, as of the snapshot's last offset. */
  static fromSnapshot(records: readonly MetadataRecord[], offset: number): MetadataImage {
    const image = MetadataImage.EMPTY.apply(records.map((record, i) => ({ offset: i, record })));
    return new MetadataImage(offset, image.brokers, image.topics, image.topicNamesById, image.metadataVersion, image.nextProducerId);
  }

  partition(topic: string, partition: number): PartitionRegistration | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  /** Brokers that are registered and not fenced: the ones that may lead or be placed on. */
  liveBrokers(): BrokerRegistration[] {
    return [...this.brokers.values()].filter((b) => !b.fenced).sort((a, b) => a.id - b.id);
  }
}
