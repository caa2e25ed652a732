/**
 * Partition assignors are pure functions: the group leader's consumer calls one with every
 * member's subscription and the partition counts, and sends the result in SyncGroup.
 */
import type { TopicPartitions } from '../../events';

/** One member's ConsumerProtocolSubscription, decoded. */
export interface MemberSubscription {
  memberId: string;
  topics: string[];
  /** What the member owned before this rebalance (sticky and cooperative-sticky use it). */
  ownedPartitions: TopicPartitions[];
  /** The generation `ownedPartitions` belong to (-1 unknown): a stale claim loses to a newer one. */
  generationId: number;
  rackId: string | null;
  userData: Uint8Array | null;
}

/** memberId -> its partitions, every subscribed member present (possibly with nothing). */
export type GroupAssignment = Map<string, TopicPartitions[]>;

export interface Assignor {
  /** The protocol name members vote with in JoinGroup ('range', 'roundrobin', 'sticky', 'cooperative-sticky', or KafkaJS's 'RoundRobinAssigner'). */
  name: string;
  /** EAGER: every member revokes everything before rejoining. COOPERATIVE: only what moves (KIP-429). */
  rebalanceProtocol: 'EAGER' | 'COOPERATIVE';
  /** members in JoinGroup order; partitionsPerTopic: topic -> partition count (subscribed topics that exist). */
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment;
}
