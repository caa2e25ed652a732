/**
 * Broker, controller and topic configs under Kafka's names, with Kafka's defaults unless a
 * note says the playground differs (and the UI shows that note).
 */
export interface BrokerConfig {
  /** From `kafka-storage format --cluster-id`: every node of a cluster shares it. */
  'cluster.id': string;
  'node.id': number;
  'broker.rack': string | null;
  /** Controller ids of the quorum (controller.quorum.voters). */
  'controller.quorum.voters': number[];
  'broker.heartbeat.interval.ms': number;
  'broker.session.timeout.ms': number;
  'num.partitions': number;
  'default.replication.factor': number;
  'min.insync.replicas': number;
  /** Kafka's default is 50; the playground uses fewer so the picture stays readable. */
  'offsets.topic.num.partitions': number;
  'offsets.topic.replication.factor': number;
  'segment.bytes': number;
  /** How often each log deletes its segments past retention.ms / retention.bytes. */
  'log.retention.check.interval.ms': number;
  'replica.fetch.wait.max.ms': number;
  /** A follower that has not caught up with the leader's log end for this long leaves the ISR. */
  'replica.lag.time.max.ms': number;
  /** KIP-392: 'RackAwareReplicaSelector' lets consumers with client.rack read from a replica in their rack. */
  'replica.selector.class': string | null;
  /** How long the first rebalance of an empty group waits for more members to join. */
  'group.initial.rebalance.delay.ms': number;
  /** A JoinGroup's session.timeout.ms must lie in [min, max], else INVALID_SESSION_TIMEOUT. */
  'group.min.session.timeout.ms': number;
  'group.max.session.timeout.ms': number;
  /** An OffsetCommit (and a group's metadata write) waits this long for the offsets partition's ISR. */
  'offsets.commit.timeout.ms': number;
}

export const DEFAULT_BROKER_CONFIG: Omit<BrokerConfig, 'cluster.id' | 'node.id' | 'broker.rack' | 'controller.quorum.voters'> = {
  'broker.heartbeat.interval.ms': 1000,
  'broker.session.timeout.ms': 3000,
  'num.partitions': 1,
  'default.replication.factor': 1,
  'min.insync.replicas': 1,
  'offsets.topic.num.partitions': 5,
  'offsets.topic.replication.factor': 3,
  'segment.bytes': 1024 * 1024 * 1024,
  'log.retention.check.interval.ms': 5000,
  'replica.fetch.wait.max.ms': 500,
  'replica.lag.time.max.ms': 10000,
  'replica.selector.class': 'RackAwareReplicaSelector',
  'group.initial.rebalance.delay.ms': 3000,
  'group.min.session.timeout.ms': 6000,
  'group.max.session.timeout.ms': 1_800_000,
  'offsets.commit.timeout.ms': 5000,
};

/** The playground's departures from Kafka's defaults, for the UI to state. */
export const PLAYGROUND_DEFAULT_NOTES: Record<string, string> = {
  'offsets.topic.num.partitions': "5 here; Kafka's default is 50",
  'broker.heartbeat.interval.ms': "1000 here; Kafka's default is 2000",
  'broker.session.timeout.ms': "3000 here; Kafka's default is 9000. A broker that stops heartbeating for this long is fenced and loses its leaderships",
  'replica.lag.time.max.ms': "10000 here; Kafka's default is 30000",
  'log.retention.check.interval.ms': "5000 here; Kafka's default is 300000 (5 minutes), so retention acts while you watch",
  'replica.selector.class': "RackAwareReplicaSelector here; Kafka's default is none (consumers read from leaders only)",
  'leader.imbalance.check.interval.seconds': "30 here; Kafka's default is 300",
  'metadata.log.max.record.bytes.between.snapshots': "64 KiB here; Kafka's default is 20 MiB, so snapshots happen where you can see them",
};

export interface ControllerConfig {
  'cluster.id': string;
  'node.id': number;
  'controller.quorum.voters': number[];
  'broker.session.timeout.ms': number;
  'num.partitions': number;
  'default.replication.factor': number;
  /** Preferred leader election: the controller moves leadership back to each partition's first replica. */
  'auto.leader.rebalance.enable': boolean;
  'leader.imbalance.check.interval.seconds': number;
  'leader.imbalance.per.broker.percentage': number;
  /** Cluster-wide default for the topic config of the same name. */
  'unclean.leader.election.enable': boolean;
  /** KRaft (KIP-595): a voter without a leader waits this long, plus up to as much at random, before an election. */
  'controller.quorum.election.timeout.ms': number;
  /** A follower that hears nothing from the leader this long starts an election; a leader no majority fetches from for 1.5× this resigns. */
  'controller.quorum.fetch.timeout.ms': number;
  'controller.quorum.election.backoff.max.ms': number;
  /** A controller snapshots its metadata image after this many bytes of new records (KIP-630). */
  'metadata.log.max.record.bytes.between.snapshots': number;
}

export const DEFAULT_CONTROLLER_CONFIG: Omit<ControllerConfig, 'cluster.id' | 'node.id' | 'controller.quorum.voters'> = {
  'broker.session.timeout.ms': 3000,
  'num.partitions': 1,
  'default.replication.factor': 1,
  'auto.leader.rebalance.enable': true,
  'leader.imbalance.check.interval.seconds': 30,
  'leader.imbalance.per.broker.percentage': 10,
  'unclean.leader.election.enable': false,
  'controller.quorum.election.timeout.ms': 1000,
  'controller.quorum.fetch.timeout.ms': 2000,
  'controller.quorum.election.backoff.max.ms': 1000,
  'metadata.log.max.record.bytes.between.snapshots': 65536,
};

/** ConfigResource.Type ids, as Kafka's wire and KafkaJS's ConfigResourceTypes name them. */
export const CONFIG_RESOURCE_TYPES = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/**
 * DescribeConfigsResponse.ConfigSource ids (KafkaJS's ConfigSource). TOPIC_CONFIG is the Java
 * Admin's DYNAMIC_TOPIC_CONFIG: a per-topic override stored in the metadata log.
 */
export const CONFIG_SOURCES = {
  UNKNOWN: 0, TOPIC_CONFIG: 1, DYNAMIC_BROKER_CONFIG: 2, DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5, DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;
export type ConfigSourceName = keyof typeof CONFIG_SOURCES;
export const configSourceName = (id: number): ConfigSourceName =>
  (Object.keys(CONFIG_SOURCES) as ConfigSourceName[]).find((name) => CONFIG_SOURCES[name] === id) ?? 'UNKNOWN';

/** ConfigDef.Type ids as DescribeConfigs (v3+) reports them. */
export const CONFIG_TYPES = { UNKNOWN: 0, BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as const;
export type ConfigTypeName = keyof typeof CONFIG_TYPES;

/** IncrementalAlterConfigs operations (AlterConfigOp.OpType ids, KIP-339). */
export const ALTER_CONFIG_OPS = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
export type AlterConfigOpName = keyof typeof ALTER_CONFIG_OPS;

export interface TopicConfigDef {
  /** Kafka's default. */
  default: string;
  type: ConfigTypeName;
  /** The broker config the default comes from when server.properties sets it (Kafka's synonym). */
  brokerSynonym: string;
  /** The allowed values (STRING/LIST) or the least value (INT/LONG). */
  validValues?: readonly string[];
  atLeast?: number;
  doc: string;
  /** Which node acts on it here, and how; null: stored and described, but the playground does not act on it. */
  appliedBy: string | null;
}

/**
 * Topic-level configs a CreateTopics or IncrementalAlterConfigs request may set, with Kafka's
 * defaults, validators and a note on whether the playground acts on each.
 */
export const TOPIC_CONFIGS: Record<string, TopicConfigDef> = {
  'cleanup.policy': {
    default: 'delete', type: 'LIST', brokerSynonym: 'log.cleanup.policy', validValues: ['compact', 'delete'],
    doc: 'delete: old segments are removed by retention.ms / retention.bytes; compact: only the last record of each key is kept.',
    appliedBy: 'log of every replica: delete turns retention on; compact is stored but not acted on (no log cleaner here)',
  },
  'compression.type': {
    default: 'producer', type: 'STRING', brokerSynonym: 'compression.type', validValues: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    doc: "The codec the broker stores batches with; 'producer' keeps the producer's.",
    appliedBy: null,
  },
  'max.message.bytes': {
    default: '1048588', type: 'INT', brokerSynonym: 'message.max.bytes', atLeast: 0,
    doc: 'The largest record batch the broker accepts for this topic.',
    appliedBy: 'partition leader: a Produce whose batch is larger fails with MESSAGE_TOO_LARGE',
  },
  'message.timestamp.type': {
    default: 'CreateTime', type: 'STRING', brokerSynonym: 'log.message.timestamp.type', validValues: ['CreateTime', 'LogAppendTime'],
    doc: "CreateTime keeps the producer's timestamps; LogAppendTime stamps each batch with the leader's clock when it is appended.",
    appliedBy: "partition leader: LogAppendTime restamps each batch as it is appended, and Produce returns that time",
  },
  'min.insync.replicas': {
    default: '1', type: 'INT', brokerSynonym: 'min.insync.replicas', atLeast: 1,
    doc: 'With acks=all, a write succeeds only while at least this many replicas are in sync.',
    appliedBy: 'partition leader: a Produce with acks=all fails with NOT_ENOUGH_REPLICAS while the ISR is smaller',
  },
  'retention.bytes': {
    default: '-1', type: 'LONG', brokerSynonym: 'log.retention.bytes',
    doc: 'The most a partition keeps before old segments are deleted; -1: no limit.',
    appliedBy: 'log of every replica: each log.retention.check.interval.ms it deletes its oldest closed segments while the rest still holds this many bytes',
  },
  'retention.ms': {
    default: '604800000', type: 'LONG', brokerSynonym: 'log.retention.ms', atLeast: -1,
    doc: 'How long a segment is kept (7 days by default); -1: forever.',
    appliedBy: 'log of every replica: each log.retention.check.interval.ms it deletes closed segments whose newest record is older than this',
  },
  'segment.bytes': {
    default: '1073741824', type: 'INT', brokerSynonym: 'log.segment.bytes', atLeast: 14,
    doc: 'The size at which the log rolls a new segment file.',
    appliedBy: 'log of every replica: the log rolls a new segment before a batch would make the active one larger; only closed segments are deleted',
  },
  'segment.ms': {
    default: '604800000', type: 'LONG', brokerSynonym: 'log.roll.ms', atLeast: 1,
    doc: 'The log rolls a new segment once a batch is this much newer than the active segment\'s first, even if it is not full.',
    appliedBy: 'log of every replica: a batch this much newer than the active segment\'s first one starts a new segment',
  },
  'unclean.leader.election.enable': {
    default: 'false', type: 'BOOLEAN', brokerSynonym: 'unclean.leader.election.enable',
    doc: 'When no in-sync replica is alive, let an out-of-sync one lead: available again, but the records it lacks are lost.',
    appliedBy: 'controller: elects an out-of-sync replica when no in-sync one is alive',
  },
};

/** Whether a cleanup.policy value (a list: "compact,delete") includes delete: retention and DeleteRecords apply. */
export function cleanupPolicyDeletes(policy: string | undefined): boolean {
  return (policy ?? TOPIC_CONFIGS['cleanup.policy'].default).split(',').some((p) => p.trim() === 'delete');
}

/** Topic-level configs a CreateTopics request may set, with Kafka's defaults. */
export const TOPIC_CONFIG_DEFAULTS: Record<string, string> = Object.fromEntries(Object.entries(TOPIC_CONFIGS).map(([name, def]) => [name, def.default]));

export interface BrokerConfigDef {
  /** Kafka's name for it (our key may be shorter: segment.bytes is log.segment.bytes). */
  name: string;
  key: keyof BrokerConfig;
  /** Kafka's default; undefined: it has none (must be set). */
  kafkaDefault?: string | null;
  type: ConfigTypeName;
  doc: string;
  /** A duration the playground's clock scales with its speed. */
  timeout?: boolean;
}

/** The broker configs DescribeConfigs (BROKER) reports: every one static (server.properties), so read-only here. */
export const BROKER_CONFIG_DEFS: readonly BrokerConfigDef[] = [
  { name: 'node.id', key: 'node.id', type: 'INT', doc: 'This broker\'s id.' },
  { name: 'broker.rack', key: 'broker.rack', kafkaDefault: null, type: 'STRING', doc: 'Its rack (availability zone): replicas spread over racks, and consumers with client.rack read nearby (KIP-392).' },
  { name: 'controller.quorum.voters', key: 'controller.quorum.voters', type: 'LIST', doc: 'The KRaft controllers, id@host:port.' },
  { name: 'broker.heartbeat.interval.ms', key: 'broker.heartbeat.interval.ms', kafkaDefault: '2000', type: 'INT', timeout: true, doc: 'How often the broker heartbeats to the active controller.' },
  { name: 'broker.session.timeout.ms', key: 'broker.session.timeout.ms', kafkaDefault: '9000', type: 'INT', timeout: true, doc: 'A broker without a heartbeat for this long is fenced and loses its leaderships.' },
  { name: 'replica.lag.time.max.ms', key: 'replica.lag.time.max.ms', kafkaDefault: '30000', type: 'LONG', timeout: true, doc: 'A follower that has not caught up for this long leaves the ISR.' },
  { name: 'replica.fetch.wait.max.ms', key: 'replica.fetch.wait.max.ms', kafkaDefault: '500', type: 'INT', timeout: true, doc: 'How long a follower\'s Fetch waits at the leader for new records.' },
  { name: 'group.initial.rebalance.delay.ms', key: 'group.initial.rebalance.delay.ms', kafkaDefault: '3000', type: 'INT', timeout: true, doc: 'How long the first rebalance of an empty group waits for more members.' },
  { name: 'group.min.session.timeout.ms', key: 'group.min.session.timeout.ms', kafkaDefault: '6000', type: 'INT', timeout: true, doc: 'The least session.timeout.ms a consumer may ask for.' },
  { name: 'group.max.session.timeout.ms', key: 'group.max.session.timeout.ms', kafkaDefault: '1800000', type: 'INT', timeout: true, doc: 'The most session.timeout.ms a consumer may ask for.' },
  { name: 'offsets.commit.timeout.ms', key: 'offsets.commit.timeout.ms', kafkaDefault: '5000', type: 'INT', timeout: true, doc: 'How long an OffsetCommit waits for the offsets partition\'s ISR.' },
  { name: 'num.partitions', key: 'num.partitions', kafkaDefault: '1', type: 'INT', doc: 'Partitions of an auto-created topic.' },
  { name: 'default.replication.factor', key: 'default.replication.factor', kafkaDefault: '1', type: 'INT', doc: 'Replication factor of an auto-created topic.' },
  { name: 'min.insync.replicas', key: 'min.insync.replicas', kafkaDefault: '1', type: 'INT', doc: 'The default of the topic config of the same name.' },
  { name: 'log.retention.check.interval.ms', key: 'log.retention.check.interval.ms', kafkaDefault: '300000', type: 'LONG', timeout: true, doc: 'How often each log deletes the segments retention.ms or retention.bytes no longer keep.' },
  { name: 'log.segment.bytes', key: 'segment.bytes', kafkaDefault: '1073741824', type: 'INT', doc: 'The default of the topic config segment.bytes.' },
  { name: 'offsets.topic.num.partitions', key: 'offsets.topic.num.partitions', kafkaDefault: '50', type: 'INT', doc: 'Partitions of __consumer_offsets.' },
  { name: 'offsets.topic.replication.factor', key: 'offsets.topic.replication.factor', kafkaDefault: '3', type: 'SHORT', doc: 'Replication factor of __consumer_offsets.' },
  { name: 'replica.selector.class', key: 'replica.selector.class', kafkaDefault: null, type: 'STRING', doc: 'RackAwareReplicaSelector lets consumers fetch from a replica in their rack (KIP-392).' },
];

export const brokerAddress = (id: number): string => `broker-${id}`;
export const controllerAddress = (id: number): string => `controller-${id}`;
