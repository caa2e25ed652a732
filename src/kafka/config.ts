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

/** Topic-level configs a CreateTopics request may set, with Kafka's defaults. */
export const TOPIC_CONFIG_DEFAULTS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'compression.type': 'producer',
  'min.insync.replicas': '1',
  'retention.ms': '604800000',
  'retention.bytes': '-1',
  'segment.bytes': '1073741824',
  'unclean.leader.election.enable': 'false',
  'max.message.bytes': '1048588',
};

export const brokerAddress = (id: number): string => `broker-${id}`;
export const controllerAddress = (id: number): string => `controller-${id}`;
