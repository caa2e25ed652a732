/**
 * A consumer's membership in its group, the classic protocol as the Java client and KafkaJS speak
 * it to the group coordinator (found with FindCoordinator, looked up again after
 * COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS):
 *
 * - JoinGroup (protocolType 'consumer', one protocol per assignor, each carrying a
 *   ConsumerProtocolSubscription: topics, owned partitions, their generation, rack). A first
 *   JoinGroup without a member id is answered MEMBER_ID_REQUIRED with one (KIP-394): join again
 *   with it.
 * - The member the coordinator names leader runs the chosen assignor over every member's
 *   subscription and the partition counts it fetches, and sends each member's
 *   ConsumerProtocolAssignment in SyncGroup; the others send none and get theirs back.
 *   SyncGroup answered REBALANCE_IN_PROGRESS (another rebalance began): join again.
 * - JoinGroup or SyncGroup answered UNKNOWN_MEMBER_ID (join again without the member id), or
 *   SyncGroup answered ILLEGAL_GENERATION: the group went on without this member, so the
 *   partitions it owned are already someone else's. As the Java client does, they are LOST:
 *   the consumer drops them without committing, and the member joins again owning nothing
 *   (generation -1), so the assignor never weighs its stale claim against their new owner's.
 * - Heartbeat, LeaveGroup, DescribeGroups. What to do about a heartbeat's error is the consumer's.
 */
import type { TopicPartitions } from '../events';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../group/consumerProtocol';
import type { Assignor, MemberSubscription } from '../group/assignors/types';
import { errorName, type ErrorName } from '../protocol/errors';
import type { DescribeGroupsResponse, JoinGroupResponse } from '../protocol/messages';
import { toKafkaBuffer, type KafkaBuffer } from './buffer';
import { COORDINATOR_ERRORS, type Cluster } from './cluster';
import { KafkaJSNonRetriableError, KafkaProtocolError } from './errors';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface GroupOptions {
  groupId: string;
  clientId: string;
  sessionTimeout: number;
  rebalanceTimeout: number;
  rackId: string | null;
  assignors: Assignor[];
  /** The consumer's rebalance protocol: COOPERATIVE only when every assignor supports it. */
  rebalanceProtocol: 'EAGER' | 'COOPERATIVE';
}

export interface Generation {
  generationId: number;
  memberId: string;
  leaderId: string;
  isLeader: boolean;
  protocol: string;
  /** This member's partitions, as the leader assigned them. */
  assignment: TopicPartitions[];
}

/** A group as KafkaJS's describeGroups returns it. */
export interface GroupDescription {
  groupId: string;
  members: { memberId: string; clientId: string; clientHost: string; memberMetadata: KafkaBuffer; memberAssignment: KafkaBuffer }[];
  protocol: string;
  protocolType: string;
  state: string;
  errorCode: number;
}

/** Errors after which a member must join again: the group moved on without it. */
export const REJOIN_ERRORS = new Set<ErrorName>(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

/** JoinGroup errors answered by joining again. */
const JOIN_AGAIN_ERRORS = new Set<ErrorName>(['MEMBER_ID_REQUIRED', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS']);

/** The partitions a member claims in its subscription, and the generation they were assigned in (-1: none). */
export interface OwnedPartitions { partitions: TopicPartitions[]; generation: number }

export const NOTHING_OWNED: OwnedPartitions = { partitions: [], generation: -1 };

/** Thrown when the consumer stopped while joining: not a failure. */
export class JoinCancelled extends Error {
  constructor() {
    super('the consumer stopped while joining its group');
    this.name = 'JoinCancelled';
  }
}

const errorOf = (r: { errorCode: number }): ErrorName | undefined => (r.errorCode !== 0 ? errorName(r.errorCode) : undefined);

export class ConsumerGroup {
  memberId = '';
  generationId = -1;
  leaderId = '';
  protocol: string | null = null;
  /** A JoinGroup / SyncGroup exchange is in progress: no heartbeats meanwhile. */
  joining = false;

  constructor(private readonly cluster: Cluster, private readonly options: GroupOptions) {}

  get groupId(): string {
    return this.options.groupId;
  }

  /** Forgets the member id and generation: the next join is a new member's. */
  reset(): void {
    this.memberId = '';
    this.generationId = -1;
    this.leaderId = '';
  }

  /**
   * JoinGroup then SyncGroup until a generation is complete. `owned` (the partitions with the
   * generation they belong to) goes in the subscription, for sticky assignors and cooperative
   * rebalancing. When the membership turns out to be gone, `lost` is awaited (the consumer gives
   * the partitions up without committing) and the member joins again owning nothing.
   */
  async join(topics: string[], owned: OwnedPartitions, cancelled: () => boolean, lost: (error: ErrorName) => Promise<void>): Promise<Generation> {
    this.joining = true;
    try {
      return await this.joinAndSync(topics, owned, cancelled, lost);
    } finally {
      this.joining = false;
    }
  }

  /**
   * The group answered UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION: this member is out of its
   * generation (UNKNOWN_MEMBER_ID: out of the group; it joins again as a new member).
   */
  membershipLost(error: ErrorName): void {
    if (error === 'UNKNOWN_MEMBER_ID') this.reset();
    else this.generationId = -1;
  }

  private async joinAndSync(topics: string[], owned: OwnedPartitions, cancelled: () => boolean, lost: (error: ErrorName) => Promise<void>): Promise<Generation> {
    let claim = owned;
    const membershipLost = async (error: ErrorName, api: string) => {
      this.cluster.log('warn', `${api} for group ${this.groupId}: ${error}, this member's partitions are lost (given to others); joining again without them`);
      this.membershipLost(error);
      claim = NOTHING_OWNED;
      await lost(error);
    };
    for (let attempt = 0; ; attempt++) {
      if (cancelled()) throw new JoinCancelled();
      const joined = await this.sendJoinGroup(topics, claim);
      if (cancelled()) throw new JoinCancelled();
      const joinError = errorOf(joined);
      if (joinError) {
        if (attempt >= 100 || !JOIN_AGAIN_ERRORS.has(joinError)) throw new KafkaProtocolError(joinError, `JoinGroup for group ${this.groupId}`);
        if (joinError === 'MEMBER_ID_REQUIRED') this.memberId = joined.memberId;
        else if (joinError === 'UNKNOWN_MEMBER_ID') await membershipLost(joinError, 'JoinGroup');
        continue;
      }
      this.memberId = joined.memberId;
      const isLeader = joined.leader === this.memberId;
      const assignments = isLeader ? await this.assign(joined) : [];
      const response = await this.cluster.coordinatorRequest(this.groupId, 'SyncGroup', {
        groupId: this.groupId, generationId: joined.generationId, memberId: this.memberId, groupInstanceId: null,
        protocolType: CONSUMER_PROTOCOL_TYPE, protocolName: joined.protocolName, assignments,
      }, errorOf, this.options.sessionTimeout + this.cluster.runtime.requestTimeout);
      const error = errorOf(response);
      if (error && REJOIN_ERRORS.has(error) && attempt < 100) {
        if (error === 'REBALANCE_IN_PROGRESS') this.cluster.log('info', `SyncGroup for group ${this.groupId}: ${error}, joining again`);
        else await membershipLost(error, 'SyncGroup');
        continue;
      }
      if (error) throw new KafkaProtocolError(error, `SyncGroup for group ${this.groupId}`);
      this.generationId = joined.generationId;
      this.leaderId = joined.leader;
      this.protocol = joined.protocolName;
      return {
        generationId: joined.generationId, memberId: this.memberId, leaderId: joined.leader, isLeader,
        protocol: joined.protocolName ?? '', assignment: decodeAssignment(response.assignment).assignedPartitions,
      };
    }
  }

  /** One JoinGroup; its answer, error or not. */
  private sendJoinGroup(topics: string[], owned: OwnedPartitions): Promise<JoinGroupResponse> {
    // A cooperative assignor in an eager consumer must not see owned partitions: it would hold moved
    // ones back for a follow-up rebalance that an eager member never asks for.
    const metadataFor = (assignor: Assignor) => encodeSubscription({
      topics, userData: null, rackId: this.options.rackId,
      ownedPartitions: assignor.rebalanceProtocol === 'COOPERATIVE' && this.options.rebalanceProtocol === 'EAGER' ? [] : owned.partitions,
      generationId: owned.generation,
    });
    // The coordinator holds a JoinGroup until every member has joined, up to the rebalance timeout (as the Java client's timeout).
    const timeout = Math.max(this.options.rebalanceTimeout + 5000, this.cluster.runtime.requestTimeout);
    return this.cluster.coordinatorRequest(this.groupId, 'JoinGroup', {
      groupId: this.groupId, sessionTimeoutMs: this.options.sessionTimeout, rebalanceTimeoutMs: this.options.rebalanceTimeout,
      memberId: this.memberId, groupInstanceId: null, protocolType: CONSUMER_PROTOCOL_TYPE,
      protocols: this.options.assignors.map((a) => ({ name: a.name, metadata: metadataFor(a) })),
      clientId: this.options.clientId,
    }, errorOf, timeout);
  }

  /** The leader's part: every member's subscription through the chosen assignor. */
  private async assign(joined: JoinGroupResponse): Promise<{ memberId: string; assignment: Uint8Array }[]> {
    const assignor = this.options.assignors.find((a) => a.name === joined.protocolName);
    if (!assignor) throw new KafkaJSNonRetriableError(`The group chose protocol ${String(joined.protocolName)}, which this consumer does not have`);
    const members: MemberSubscription[] = joined.members.map((m) => ({ memberId: m.memberId, ...decodeSubscription(m.metadata) }));
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    // Only topics that exist are assigned; a member's topic that does not exist yet is left out, as in Kafka.
    const metadata = await this.cluster.retry(() => this.cluster.refreshMetadata(topics));
    const partitionsPerTopic = new Map<string, number>();
    for (const topic of metadata.topics) {
      if (topic.errorCode === 0 && topic.partitions.length > 0 && topics.includes(topic.name)) partitionsPerTopic.set(topic.name, topic.partitions.length);
    }
    const assignment = assignor.assign(members, partitionsPerTopic);
    this.cluster.log('info', `group ${this.groupId} generation ${joined.generationId}: ${assignor.name} assigned ${members.length} member(s)`);
    return members.map((m) => ({
      memberId: m.memberId,
      assignment: encodeAssignment({ assignedPartitions: assignment.get(m.memberId) ?? [], userData: null }),
    }));
  }

  /** One Heartbeat; the group error it returns (undefined when none). */
  async heartbeat(): Promise<ErrorName | undefined> {
    const response = await this.cluster.coordinatorRequest(this.groupId, 'Heartbeat',
      { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null }, errorOf);
    return errorOf(response);
  }

  /** LeaveGroup (a no-op without a member id), then forgets the membership. */
  async leave(reason = 'the consumer is leaving the group'): Promise<void> {
    const memberId = this.memberId;
    this.reset();
    if (!memberId) return;
    const response = await this.cluster.coordinatorRequest(this.groupId, 'LeaveGroup',
      { groupId: this.groupId, members: [{ memberId, groupInstanceId: null, reason }] },
      (r) => errorOf(r) ?? r.members.map(errorOf).find((e) => e !== undefined));
    const error = errorOf(response) ?? response.members.map(errorOf).find((e) => e !== undefined);
    // UNKNOWN_MEMBER_ID: the coordinator already removed this member (a session timeout).
    if (error && error !== 'UNKNOWN_MEMBER_ID') throw new KafkaProtocolError(error, `LeaveGroup for group ${this.groupId}`);
  }
}

/** DescribeGroups for each group at its own coordinator, in KafkaJS's shape. */
export async function describeGroups(cluster: Cluster, groupIds: string[]): Promise<GroupDescription[]> {
  return Promise.all(groupIds.map(async (groupId) => {
    const response = await cluster.coordinatorRequest(groupId, 'DescribeGroups', { groups: [groupId] },
      (r) => r.groups.map(errorOf).find((e) => e !== undefined && COORDINATOR_ERRORS.has(e)));
    const group = response.groups.find((g) => g.groupId === groupId) ?? response.groups[0];
    if (!group) throw new KafkaProtocolError('UNKNOWN_SERVER_ERROR', `DescribeGroups for group ${groupId} returned no group`);
    return toDescription(group);
  }));
}

function toDescription(group: DescribeGroupsResponse['groups'][number]): GroupDescription {
  return {
    groupId: group.groupId,
    members: group.members.map((m) => ({
      memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost,
      memberMetadata: toKafkaBuffer(m.memberMetadata), memberAssignment: toKafkaBuffer(m.memberAssignment),
    })),
    protocol: group.protocolData, protocolType: group.protocolType, state: group.groupState, errorCode: group.errorCode,
  };
}
