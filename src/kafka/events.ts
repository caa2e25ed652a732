/**
 * What nodes report. The UI and `cluster.describe()` are built only from these, so each
 * carries everything needed to draw it. `time` is the reporting node's clock.
 */
import type { ApiKey } from './protocol/messages';
import type { ErrorName } from './protocol/errors';
import type { MetadataRecord } from './metadata/records';

export type NodeRole = 'broker' | 'controller' | 'client';

export type NodeEvent =
  | { type: 'message-sent'; time: number; id: string; from: string; to: string; api: ApiKey; kind: 'request' | 'response'; bytes: number; error?: ErrorName }
  | { type: 'message-delivered'; time: number; id: string; from: string; to: string; api: ApiKey; kind: 'request' | 'response' }
  | { type: 'node-started'; time: number; node: string; role: NodeRole; recovered: { partitions: number; batches: number; bytes: number } }
  | { type: 'log-recovered'; time: number; node: string; topic: string; partition: number; logStartOffset: number; logEndOffset: number; batches: number; truncated?: { at: number; reason: string } }
  /** replicated: a follower appended what it fetched from the leader. */
  | { type: 'log-append'; time: number; node: string; topic: string; partition: number; baseOffset: number; lastOffset: number; records: number; bytes: number; leaderEpoch: number; compression: string; replicated?: boolean }
  | {
    type: 'partition-offsets'; time: number; node: string; topic: string; partition: number; logStartOffset: number; logEndOffset: number; highWatermark: number; leaderEpoch: number; role: 'leader' | 'follower' | 'none';
    /** The ISR this replica knows (the leader's may be ahead of the metadata while an AlterPartition is pending). */
    isr?: number[];
    /** Leader only: each follower's log end offset as its last Fetch reported (-1: not fetched yet in this epoch). */
    replicaLogEndOffsets?: Record<number, number>;
  }
  /** A leader proposes an ISR change to the controller (AlterPartition); then it is committed or rejected. */
  | { type: 'isr-change'; time: number; node: string; topic: string; partition: number; leaderEpoch: number; from: number[]; to: number[]; phase: 'proposed' | 'committed' | 'rejected'; reason: string; error?: ErrorName }
  /** The controller chose a partition leader (or none: -1, offline). kind names the election. */
  | { type: 'leader-election'; time: number; node: string; topic: string; partition: number; previousLeader: number; leader: number; leaderEpoch: number; isr: number[]; kind: 'clean' | 'unclean' | 'preferred' | 'offline'; reason: string }
  /** A replica cut the end of its log: after a leader change (KIP-101 leader epochs) or a bad batch on recovery. */
  | { type: 'log-truncated'; time: number; node: string; topic: string; partition: number; from: number; to: number; reason: string }
  /**
   * A replica's log start offset moved from `from` to `to`, deleting the records below it:
   * retention (`segments` whole segments) or, on a follower, following the leader's log start.
   */
  | { type: 'log-start-moved'; time: number; node: string; topic: string; partition: number; from: number; to: number; segments: number; bytes: number; reason: string }
  /** A request a broker refused, worth naming in the event log (NOT_ENOUGH_REPLICAS, OUT_OF_ORDER_SEQUENCE_NUMBER, ...). */
  | { type: 'request-rejected'; time: number; node: string; api: ApiKey; topic: string; partition: number; error: ErrorName; message: string }
  /** KIP-392: a leader told a consumer in `clientRack` to fetch from `replica` instead. */
  | { type: 'preferred-read-replica'; time: number; node: string; topic: string; partition: number; clientRack: string; replica: number }
  /** An idempotent producer got its producer id and epoch (InitProducerId). */
  | { type: 'producer-id'; time: number; node: string; producerId: number; producerEpoch: number }
  | { type: 'partition-deleted'; time: number; node: string; topic: string; partition: number }
  | { type: 'metadata-record'; time: number; node: string; offset: number; record: MetadataRecord }
  | { type: 'metadata-applied'; time: number; node: string; offset: number }
  /** An active controller whose log starts after a snapshot states the snapshot, so a fresh page can rebuild the image. */
  | { type: 'metadata-snapshot'; time: number; node: string; endOffset: number; epoch: number; records: MetadataRecord[] }
  | { type: 'broker-state'; time: number; node: string; brokerId: number; state: 'STARTING' | 'RECOVERY' | 'RUNNING'; brokerEpoch: number }
  | { type: 'controller-state'; time: number; node: string; controllerId: number; active: boolean; epoch: number; logEndOffset: number; committedOffset: number }
  /**
   * A controller's KRaft quorum state (KIP-595): Unattached, Prospective (pre-vote, KIP-996),
   * Candidate, Leader, Follower or Resigned, in `epoch`, with its vote and the leader it knows.
   */
  | { type: 'quorum-state'; time: number; node: string; controllerId: number; state: 'Unattached' | 'Prospective' | 'Candidate' | 'Leader' | 'Follower' | 'Resigned'; epoch: number; votedId: number | null; leaderId: number | null; logEndOffset: number; highWatermark: number; reason: string }
  /** A committed offset: written by an OffsetCommit, or (loaded) read back from `__consumer_offsets` by a new coordinator. */
  | { type: 'offset-commit'; time: number; node: string; groupId: string; topic: string; partition: number; offset: number; loaded?: boolean }
  /**
   * A group coordinator's view of a group after every change: state, generation, members and
   * (for consumer groups) each member's assigned partitions. 'Dead' when deleted or unloaded
   * (this broker stopped coordinating it: `reason` says which).
   */
  | {
    type: 'group-state'; time: number; node: string; groupId: string;
    state: 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';
    generationId: number; protocolType: string; protocolName: string | null; leader: string | null;
    members: GroupMemberView[]; reason: string;
    /** Why a group is Dead here: deleted (DeleteGroups), or unloaded (this broker no longer coordinates it). */
    cause?: 'deleted' | 'unloaded';
  }
  /**
   * A consumer's own side of a rebalance: 'revoke' before it rejoins (eager: everything it had;
   * cooperative: only what moves), 'assign' once SyncGroup gave it its partitions.
   */
  | { type: 'consumer-rebalance'; time: number; node: string; groupId: string; memberId: string; generationId: number; phase: 'join' | 'revoke' | 'assign'; partitions: TopicPartitions[]; protocol: string }
  | { type: 'client-error'; time: number; node: string; operation: string; error: string; message: string }
  | { type: 'log'; time: number; node: string; level: 'info' | 'warn' | 'error'; message: string };

export interface TopicPartitions { topic: string; partitions: number[] }
export interface GroupMemberView {
  memberId: string; clientId: string; clientHost: string; sessionTimeoutMs: number;
  /** Decoded from the member's ConsumerProtocolAssignment; empty for other protocol types or before SyncGroup. */
  assignment: TopicPartitions[];
}

export type NodeEventType = NodeEvent['type'];
