/**
 * Request and response bodies, named after Kafka's APIs and their fields (the JSON schemas in
 * clients/src/main/resources/common/message). Records travel as Kafka v2 record batch bytes.
 */

export interface MetadataRequest { topics: string[] | null; allowAutoTopicCreation?: boolean }
export interface MetadataBroker { nodeId: number; host: string; port: number; rack: string | null }
export interface MetadataPartition {
  partitionIndex: number; errorCode: number; leaderId: number; leaderEpoch: number;
  replicaNodes: number[]; isrNodes: number[]; offlineReplicas: number[];
}
export interface MetadataTopic {
  name: string; topicId: string; errorCode: number; isInternal: boolean; partitions: MetadataPartition[];
}
export interface MetadataResponse {
  clusterId: string; controllerId: number; brokers: MetadataBroker[]; topics: MetadataTopic[];
}

/** acks: 0 no response, 1 leader appended, -1 (all) every ISR member has it. */
export type Acks = -1 | 0 | 1;
export interface ProduceRequest {
  acks: Acks; timeoutMs: number;
  topicData: { name: string; partitionData: { index: number; records: Uint8Array }[] }[];
}
export interface ProducePartitionResponse {
  index: number; errorCode: number; baseOffset: number; logAppendTimeMs: number; logStartOffset: number;
  errorMessage?: string;
}
export interface ProduceResponse { responses: { name: string; partitionResponses: ProducePartitionResponse[] }[] }

export interface FetchPartition {
  partition: number; currentLeaderEpoch: number; fetchOffset: number; lastFetchedEpoch: number;
  logStartOffset: number; partitionMaxBytes: number;
}
/** replicaId -1 is a consumer; a broker id is a follower; a controller fetch reads __cluster_metadata. */
export interface FetchRequest {
  replicaId: number; maxWaitMs: number; minBytes: number; maxBytes: number; isolationLevel: 0 | 1;
  topics: { topic: string; partitions: FetchPartition[] }[]; rackId?: string;
}
export interface FetchPartitionResponse {
  partitionIndex: number; errorCode: number; highWatermark: number; lastStableOffset: number;
  logStartOffset: number; records: Uint8Array | null;
  /** KIP-392: the replica a consumer with a rackId should fetch from instead (-1: keep the leader). */
  preferredReadReplica?: number;
  /** KIP-595: the fetcher's log diverged; truncate to where `epoch` ends here, then fetch again. */
  divergingEpoch?: { epoch: number; endOffset: number };
  /** KIP-595: who leads the quorum, as this voter knows it (-1: unknown). */
  currentLeader?: { leaderId: number; leaderEpoch: number };
  /** KIP-630: the offset asked for is only in this snapshot now; fetch it with FetchSnapshot. */
  snapshotId?: { endOffset: number; epoch: number };
}
export interface FetchResponse { errorCode: number; responses: { topic: string; partitions: FetchPartitionResponse[] }[] }

/** timestamp -1 = latest, -2 = earliest, else the first offset whose timestamp >= it. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export interface ListOffsetsRequest {
  replicaId: number; isolationLevel: 0 | 1;
  topics: { name: string; partitions: { partitionIndex: number; currentLeaderEpoch: number; timestamp: number }[] }[];
}
export interface ListOffsetsResponse {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number; timestamp: number; offset: number; leaderEpoch: number }[] }[];
}

/** DeleteRecords (KIP-107, kafka-delete-records.sh): moves each partition's log start offset up to `offset`; -1 means the high watermark. */
export interface DeleteRecordsRequest { topics: { name: string; partitions: { partitionIndex: number; offset: number }[] }[]; timeoutMs: number }
export interface DeleteRecordsResponse { topics: { name: string; partitions: { partitionIndex: number; lowWatermark: number; errorCode: number }[] }[] }

/** CreatePartitions (KIP-195, kafka-topics.sh --alter --partitions): grows a topic to `count` partitions; `assignments` names each new one's replicas. */
export interface CreatePartitionsRequest { topics: { name: string; count: number; assignments: { brokerIds: number[] }[] | null }[]; timeoutMs: number; validateOnly: boolean }
export interface CreatePartitionsResponse { results: { name: string; errorCode: number; errorMessage: string | null }[] }

export interface ConfigEntry { name: string; value: string }
export interface CreatableTopic {
  name: string; numPartitions: number; replicationFactor: number;
  assignments?: { partitionIndex: number; brokerIds: number[] }[]; configs?: ConfigEntry[];
}
export interface CreateTopicsRequest { topics: CreatableTopic[]; timeoutMs: number; validateOnly: boolean }
export interface CreateTopicsResponse {
  topics: { name: string; topicId: string; errorCode: number; errorMessage: string | null; numPartitions: number; replicationFactor: number }[];
}

export interface DeleteTopicsRequest { topicNames: string[]; timeoutMs: number }
export interface DeleteTopicsResponse { responses: { name: string; errorCode: number; errorMessage: string | null }[] }

/**
 * KIP-133 DescribeConfigs. resourceType is ConfigResource.Type's id (2 = TOPIC, 4 = BROKER);
 * configurationKeys null = every config. A BROKER resource is answered by that broker only.
 */
export interface DescribeConfigsRequest {
  resources: { resourceType: number; resourceName: string; configurationKeys: string[] | null }[];
  includeSynonyms: boolean; includeDocumentation: boolean;
}
/**
 * configSource is DescribeConfigsResponse.ConfigSource's id: 1 TOPIC_CONFIG (DYNAMIC_TOPIC_CONFIG
 * in the Java Admin), 2 DYNAMIC_BROKER_CONFIG, 3 DYNAMIC_DEFAULT_BROKER_CONFIG, 4 STATIC_BROKER_CONFIG,
 * 5 DEFAULT_CONFIG. Synonyms list where the value could come from, in precedence order.
 */
export interface DescribeConfigsResult {
  name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean;
  synonyms: { name: string; value: string | null; source: number }[];
  /** ConfigType's id: 1 BOOLEAN, 2 STRING, 3 INT, 5 LONG, 7 LIST, 8 CLASS. */
  configType: number; documentation: string | null;
}
export interface DescribeConfigsResponse {
  results: { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string; configs: DescribeConfigsResult[] }[];
}

/**
 * KIP-339 IncrementalAlterConfigs: configOperation 0 SET, 1 DELETE (back to the default),
 * 2 APPEND and 3 SUBTRACT (list configs). Brokers forward it to the active controller (KIP-590),
 * which writes ConfigRecords.
 */
export interface IncrementalAlterConfigsRequest {
  resources: { resourceType: number; resourceName: string; configs: { name: string; configOperation: number; value: string | null }[] }[];
  validateOnly: boolean;
}
export interface IncrementalAlterConfigsResponse {
  responses: { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }[];
}

/** keyType 0 = group, 1 = transaction. */
export interface FindCoordinatorRequest { key: string; keyType: 0 | 1 }
export interface FindCoordinatorResponse { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number }

export interface OffsetCommitRequest {
  groupId: string; generationIdOrMemberEpoch: number; memberId: string;
  topics: { name: string; partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }[] }[];
}
export interface OffsetCommitResponse { topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }

/** topics null = every partition the group has committed. */
export interface OffsetFetchRequest { groupId: string; topics: { name: string; partitionIndexes: number[] }[] | null }
export interface OffsetFetchResponse {
  errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string | null; errorCode: number }[] }[];
}

/**
 * The classic group protocol (JoinGroup v5+ semantics: a member with no id is answered
 * MEMBER_ID_REQUIRED with one, and joins again with it). Protocol metadata and assignments are
 * opaque bytes to the coordinator; for consumers they are ConsumerProtocolSubscription /
 * ConsumerProtocolAssignment (group/consumerProtocol.ts).
 */
export interface JoinGroupRequest {
  groupId: string; sessionTimeoutMs: number; rebalanceTimeoutMs: number; memberId: string; groupInstanceId: string | null;
  protocolType: string; protocols: { name: string; metadata: Uint8Array }[]; reason?: string;
  /** Not on Kafka's wire (the broker learns it from the connection): the client's id, for DescribeGroups. */
  clientId?: string;
}
export interface JoinGroupResponse {
  errorCode: number; generationId: number; protocolType: string | null; protocolName: string | null;
  leader: string; memberId: string;
  /** Only the leader gets the members, with the metadata of the chosen protocol. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[];
}
export interface SyncGroupRequest {
  groupId: string; generationId: number; memberId: string; groupInstanceId: string | null;
  protocolType: string | null; protocolName: string | null;
  /** Only the leader sends assignments. */
  assignments: { memberId: string; assignment: Uint8Array }[];
}
export interface SyncGroupResponse { errorCode: number; protocolType: string | null; protocolName: string | null; assignment: Uint8Array }
export interface HeartbeatRequest { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }
export interface HeartbeatResponse { errorCode: number }
export interface LeaveGroupRequest { groupId: string; members: { memberId: string; groupInstanceId: string | null; reason?: string }[] }
export interface LeaveGroupResponse { errorCode: number; members: { memberId: string; groupInstanceId: string | null; errorCode: number }[] }
export interface DescribeGroupsRequest { groups: string[] }
export interface DescribedGroupMember {
  memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string;
  memberMetadata: Uint8Array; memberAssignment: Uint8Array;
}
export interface DescribeGroupsResponse {
  groups: {
    errorCode: number; groupId: string;
    /** Empty, PreparingRebalance, CompletingRebalance, Stable or Dead. */
    groupState: string; protocolType: string; protocolData: string; members: DescribedGroupMember[];
  }[];
}
export interface ListGroupsRequest { statesFilter: string[] }
export interface ListGroupsResponse { errorCode: number; groups: { groupId: string; protocolType: string; groupState: string }[] }
export interface DeleteGroupsRequest { groupsNames: string[] }
export interface DeleteGroupsResponse { results: { groupId: string; errorCode: number }[] }

export interface BrokerRegistrationRequest {
  brokerId: number; clusterId: string; incarnationId: string; rack: string | null;
  listeners: { name: string; host: string; port: number }[];
}
export interface BrokerRegistrationResponse { errorCode: number; brokerEpoch: number }

export interface BrokerHeartbeatRequest {
  brokerId: number; brokerEpoch: number; currentMetadataOffset: number; wantFence: boolean; wantShutDown: boolean;
}
export interface BrokerHeartbeatResponse { errorCode: number; isCaughtUp: boolean; isFenced: boolean; shouldShutDown: boolean }

/** Sent by a partition leader to the controller to change the ISR (KIP-497). */
export interface AlterPartitionRequest {
  brokerId: number; brokerEpoch: number;
  topics: { topicId: string; partitions: { partitionIndex: number; leaderEpoch: number; newIsr: number[]; partitionEpoch: number }[] }[];
}
export interface AlterPartitionResponse {
  errorCode: number;
  topics: { topicId: string; partitions: { partitionIndex: number; errorCode: number; leaderId: number; leaderEpoch: number; isr: number[]; partitionEpoch: number }[] }[];
}

/** KIP-101/279: a follower asks the leader where `leaderEpoch` ends in the leader's log. */
export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  topics: { topic: string; partitions: { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[] }[];
}
export interface OffsetForLeaderEpochResponse {
  topics: { topic: string; partitions: { errorCode: number; partition: number; leaderEpoch: number; endOffset: number }[] }[];
}

/** An idempotent producer's id and epoch (transactionalId null: not transactional). */
export interface InitProducerIdRequest { transactionalId: string | null; transactionTimeoutMs: number; producerId: number; producerEpoch: number }
export interface InitProducerIdResponse { errorCode: number; producerId: number; producerEpoch: number }

/** KIP-730: a broker asks the controller for a block of producer ids. */
export interface AllocateProducerIdsRequest { brokerId: number; brokerEpoch: number }
export interface AllocateProducerIdsResponse { errorCode: number; producerIdStart: number; producerIdLen: number }

/** electionType 0 = preferred, 1 = unclean; topicPartitions null = every partition. */
export interface ElectLeadersRequest { electionType: 0 | 1; topicPartitions: { topic: string; partitions: number[] }[] | null; timeoutMs: number }
export interface ElectLeadersResponse {
  errorCode: number;
  replicaElectionResults: { topic: string; partitionResult: { partitionId: number; errorCode: number; errorMessage: string | null }[] }[];
}

/** KIP-595 Vote; with preVote (KIP-996) a voter only says whether it would vote, and nothing changes. */
export interface VoteRequest {
  clusterId: string; candidateEpoch: number; candidateId: number; lastOffsetEpoch: number; lastOffset: number; preVote: boolean;
}
export interface VoteResponse { errorCode: number; leaderId: number; leaderEpoch: number; voteGranted: boolean }
/** The new leader tells every voter it won `leaderEpoch`. */
export interface BeginQuorumEpochRequest { clusterId: string; leaderId: number; leaderEpoch: number }
export interface BeginQuorumEpochResponse { errorCode: number; leaderId: number; leaderEpoch: number }
/** A leader that resigns (shutdown, lost quorum) lets the voters elect at once. */
export interface EndQuorumEpochRequest { clusterId: string; leaderId: number; leaderEpoch: number; preferredSuccessors: number[] }
export interface EndQuorumEpochResponse { errorCode: number; leaderId: number; leaderEpoch: number }

/**
 * KIP-630 FetchSnapshot of `__cluster_metadata`. Kafka streams the snapshot file in chunks; the
 * playground's snapshots are small, so one response carries its records whole.
 */
export interface FetchSnapshotRequest { replicaId: number; snapshotId: { endOffset: number; epoch: number } }
export interface FetchSnapshotResponse { errorCode: number; snapshotId: { endOffset: number; epoch: number }; records: import('../metadata/records').MetadataRecord[] }

export interface ApiMap {
  Produce: [ProduceRequest, ProduceResponse];
  Fetch: [FetchRequest, FetchResponse];
  ListOffsets: [ListOffsetsRequest, ListOffsetsResponse];
  DeleteRecords: [DeleteRecordsRequest, DeleteRecordsResponse];
  Metadata: [MetadataRequest, MetadataResponse];
  CreateTopics: [CreateTopicsRequest, CreateTopicsResponse];
  DeleteTopics: [DeleteTopicsRequest, DeleteTopicsResponse];
  CreatePartitions: [CreatePartitionsRequest, CreatePartitionsResponse];
  DescribeConfigs: [DescribeConfigsRequest, DescribeConfigsResponse];
  IncrementalAlterConfigs: [IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse];
  FindCoordinator: [FindCoordinatorRequest, FindCoordinatorResponse];
  OffsetCommit: [OffsetCommitRequest, OffsetCommitResponse];
  OffsetFetch: [OffsetFetchRequest, OffsetFetchResponse];
  JoinGroup: [JoinGroupRequest, JoinGroupResponse];
  SyncGroup: [SyncGroupRequest, SyncGroupResponse];
  Heartbeat: [HeartbeatRequest, HeartbeatResponse];
  LeaveGroup: [LeaveGroupRequest, LeaveGroupResponse];
  DescribeGroups: [DescribeGroupsRequest, DescribeGroupsResponse];
  ListGroups: [ListGroupsRequest, ListGroupsResponse];
  DeleteGroups: [DeleteGroupsRequest, DeleteGroupsResponse];
  BrokerRegistration: [BrokerRegistrationRequest, BrokerRegistrationResponse];
  BrokerHeartbeat: [BrokerHeartbeatRequest, BrokerHeartbeatResponse];
  AlterPartition: [AlterPartitionRequest, AlterPartitionResponse];
  OffsetForLeaderEpoch: [OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse];
  InitProducerId: [InitProducerIdRequest, InitProducerIdResponse];
  AllocateProducerIds: [AllocateProducerIdsRequest, AllocateProducerIdsResponse];
  ElectLeaders: [ElectLeadersRequest, ElectLeadersResponse];
  Vote: [VoteRequest, VoteResponse];
  BeginQuorumEpoch: [BeginQuorumEpochRequest, BeginQuorumEpochResponse];
  EndQuorumEpoch: [EndQuorumEpochRequest, EndQuorumEpochResponse];
  FetchSnapshot: [FetchSnapshotRequest, FetchSnapshotResponse];
}
export type ApiKey = keyof ApiMap;
export type RequestOf<K extends ApiKey> = ApiMap[K][0];
export type ResponseOf<K extends ApiKey> = ApiMap[K][1];

/** What crosses a Transport. */
export type WireMessage =
  | { type: 'request'; api: ApiKey; correlationId: number; body: unknown }
  | { type: 'response'; api: ApiKey; correlationId: number; body: unknown }
  /** The handler failed: the requester gets UNKNOWN_SERVER_ERROR instead of waiting for a timeout. */
  | { type: 'error'; api: ApiKey; correlationId: number; body: string };

/** The buffers a message carries, so a transport can move them instead of copying. */
export function transferablesOf(body: unknown, out: ArrayBuffer[] = [], depth = 0): ArrayBuffer[] {
  if (depth > 6 || body === null || typeof body !== 'object') return out;
  if (body instanceof Uint8Array) {
    if (body.buffer instanceof ArrayBuffer && !out.includes(body.buffer)) out.push(body.buffer);
    return out;
  }
  for (const value of Array.isArray(body) ? body : Object.values(body)) transferablesOf(value, out, depth + 1);
  return out;
}

/** Kafka's standard topic name rule. */
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;
export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
