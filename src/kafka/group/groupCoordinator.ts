import type { Clock, EventSink, Random, TimerHandle } from '../ports';
import type { GroupMemberView } from '../events';
import { KafkaProtocolError, errorCode, type ErrorName } from '../protocol/errors';
import {
  CONSUMER_OFFSETS_TOPIC,
  type DeleteGroupsRequest, type DeleteGroupsResponse, type DescribeGroupsRequest, type DescribeGroupsResponse,
  type HeartbeatRequest, type HeartbeatResponse, type JoinGroupRequest, type JoinGroupResponse, type LeaveGroupRequest,
  type LeaveGroupResponse, type ListGroupsRequest, type ListGroupsResponse, type OffsetCommitRequest, type OffsetCommitResponse,
  type OffsetFetchRequest, type OffsetFetchResponse, type SyncGroupRequest, type SyncGroupResponse,
} from '../protocol/messages';
import { javaStringHashCode, kafkaAbs } from '../common/serial';
import { decodeRecords, encodeBatch } from '../storage/recordBatch';
import type { Partition } from '../broker/partition';
import { decodeAssignment } from './consumerProtocol';
import { groupByTopic } from './assignors/common';
import {
  decodeGroupMetadataKey, decodeGroupMetadataValue, decodeOffsetCommitKey, decodeOffsetCommitValue,
  encodeGroupMetadataKey, encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue,
} from './offsetsRecords';

/** The `__consumer_offsets` partition that owns a group: abs(groupId.hashCode) mod partitions, as Kafka. */
export const partitionForGroup = (groupId: string, offsetsPartitions: number): number =>
  kafkaAbs(javaStringHashCode(groupId)) % offsetsPartitions;

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupCoordinatorConfig {
  'group.initial.rebalance.delay.ms': number;
  'group.min.session.timeout.ms': number;
  'group.max.session.timeout.ms': number;
  'offsets.commit.timeout.ms': number;
}

interface CommittedOffset { topic: string; partition: number; offset: number; leaderEpoch: number; metadata: string; commitTimestamp: number }
const offsetKey = (topic: string, partition: number): string => `${topic}\0${partition}`;

interface Member {
  memberId: string; clientId: string; clientHost: string;
  sessionTimeoutMs: number; rebalanceTimeoutMs: number;
  protocols: { name: string; metadata: Uint8Array }[];
  assignment: Uint8Array;
  awaitingJoin: ((response: JoinGroupResponse) => void) | null;
  awaitingSync: ((response: SyncGroupResponse) => void) | null;
  heartbeatDeadline: number;
  timer: TimerHandle | null;
}

/** A classic group (Kafka's ClassicGroup) and its committed offsets. */
class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not joined yet (their session timer runs). */
  readonly pending = new Map<string, TimerHandle>();
  /** Members that got their JoinGroup answer but have not sent SyncGroup. */
  readonly pendingSync = new Set<string>();
  /** By offsetKey(topic, partition). */
  readonly offsets = new Map<string, CommittedOffset>();
  /** The join phase's deadline (rebalance timeout, or group.initial.rebalance.delay.ms for an empty group). */
  joinTimer: TimerHandle | null = null;
  syncTimer: TimerHandle | null = null;
  /** While set, the first rebalance of an empty group waits for more members (Kafka's InitialDelayedJoin). */
  initialDelay: { remainingMs: number; newMemberAdded: boolean } | null = null;
  constructor(readonly groupId: string) {}

  get hasMetadata(): boolean {
    return this.protocolType !== null;
  }
}

/** The groups of one `__consumer_offsets` partition this broker leads. */
interface Shard { index: number; groups: Map<string, Group>; loaded: Promise<void>; active: boolean }

const OK = 0;

/**
 * Kafka's group coordinator, classic protocol. The leader of `__consumer_offsets`-N coordinates
 * the groups that hash to N: JoinGroup, SyncGroup, Heartbeat and LeaveGroup drive each group
 * through Empty → PreparingRebalance → CompletingRebalance → Stable; a member whose heartbeats
 * stop for its session.timeout.ms is removed and the group rebalances. Every completed rebalance
 * (a GroupMetadataValue with each member's assignment) and every offset commit is a record in
 * that partition, answered once the ISR has it; a broker that becomes the partition's leader
 * rebuilds the groups and offsets from the log, so a coordinator failover keeps both.
 */
export class GroupCoordinator {
  private readonly shards = new Map<number, Shard>();

  constructor(
    private readonly partitionsOf: () => number,
    private readonly offsetsPartition: (index: number) => Partition | undefined,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly events: EventSink,
    private readonly node: string,
    private readonly config: GroupCoordinatorConfig,
  ) {}

  // ---- Loading and unloading ---------------------------------------------------------------

  /** Called when this broker becomes (or stops being) leader of an offsets partition. */
  onLeadershipChange(index: number, isLeader: boolean): void {
    const current = this.shards.get(index);
    if (!isLeader) {
      if (current) this.unload(current, `no longer leader of ${CONSUMER_OFFSETS_TOPIC}-${index}: the coordinator moved`);
      return;
    }
    if (current) return; // still the leader (a new leader epoch): the groups in memory are current
    const shard: Shard = { index, groups: new Map(), loaded: Promise.resolve(), active: true };
    shard.loaded = this.load(shard);
    this.shards.set(index, shard);
  }

  /** Stops every timer (the broker is shutting down). */
  stop(): void {
    for (const shard of this.shards.values()) this.unload(shard, 'the broker stopped');
  }

  private unload(shard: Shard, reason: string): void {
    shard.active = false;
    this.shards.delete(shard.index);
    for (const group of shard.groups.values()) {
      this.cancelTimers(group);
      for (const member of group.members.values()) {
        member.awaitingJoin?.(joinError('NOT_COORDINATOR', member.memberId));
        member.awaitingSync?.(syncError('NOT_COORDINATOR'));
      }
      this.emit(group, reason, 'unloaded');
    }
  }

  private async load(shard: Shard): Promise<void> {
    const partition = this.offsetsPartition(shard.index);
    const groups = new Map<string, Group>();
    const group = (id: string) => {
      let g = groups.get(id);
      if (!g) groups.set(id, (g = new Group(id)));
      return g;
    };
    if (partition) {
      for (const batch of [...partition.log.batchesFrom(partition.log.logStartOffset)]) {
        for (const record of await decodeRecords(batch.bytes)) {
          if (!record.key) continue;
          const commitKey = decodeOffsetCommitKey(record.key);
          if (commitKey) {
            const offsets = group(commitKey.group).offsets;
            // A null value is a tombstone: the offset was deleted.
            const key = offsetKey(commitKey.topic, commitKey.partition);
            if (record.value === null) offsets.delete(key);
            else offsets.set(key, { topic: commitKey.topic, partition: commitKey.partition, ...decodeOffsetCommitValue(record.value) });
            continue;
          }
          const groupId = decodeGroupMetadataKey(record.key);
          if (groupId === null) continue;
          if (record.value === null) {
            groups.delete(groupId); // DeleteGroups: the group and (by their own tombstones) its offsets
            continue;
          }
          const value = decodeGroupMetadataValue(record.value);
          const g = group(groupId);
          g.members.clear();
          g.protocolType = value.protocolType;
          g.generationId = value.generation;
          g.protocolName = value.protocol;
          g.leaderId = value.leader;
          for (const m of value.members) {
            g.members.set(m.memberId, {
              memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, sessionTimeoutMs: m.sessionTimeout,
              rebalanceTimeoutMs: m.rebalanceTimeout, protocols: [{ name: value.protocol ?? '', metadata: m.subscription }],
              assignment: m.assignment, awaitingJoin: null, awaitingSync: null, heartbeatDeadline: 0, timer: null,
            });
          }
        }
      }
    }
    if (!shard.active) return;
    const now = this.clock.now();
    for (const g of groups.values()) {
      if (!g.hasMetadata && g.offsets.size === 0) continue;
      g.state = g.members.size > 0 ? 'Stable' : 'Empty';
      shard.groups.set(g.groupId, g);
      // Members carry on with the new coordinator: each gets a full session to find it.
      for (const member of g.members.values()) {
        member.heartbeatDeadline = now + member.sessionTimeoutMs;
        this.watchSession(shard, g, member);
      }
      this.emit(g, `loaded from ${CONSUMER_OFFSETS_TOPIC}-${shard.index}: this broker leads it now`);
      // The offsets come back with it, so a page that reloaded sees them too.
      for (const c of g.offsets.values()) {
        this.events({ type: 'offset-commit', time: now, node: this.node, groupId: g.groupId, topic: c.topic, partition: c.partition, offset: c.offset, loaded: true });
      }
    }
  }

  /**
   * The group's shard if this broker coordinates it, after loading; else the error to answer:
   * NOT_COORDINATOR, or COORDINATOR_LOAD_IN_PROGRESS while a new leader has not started loading.
   */
  private async ownedShard(groupId: string): Promise<Shard | ErrorName> {
    if (!groupId) return 'INVALID_GROUP_ID';
    const index = partitionForGroup(groupId, this.partitionsOf());
    const partition = this.offsetsPartition(index);
    if (!partition || partition.role !== 'leader') return 'NOT_COORDINATOR';
    const shard = this.shards.get(index);
    if (!shard) return 'COORDINATOR_LOAD_IN_PROGRESS';
    await shard.loaded;
    return shard.active ? shard : 'NOT_COORDINATOR';
  }

  // ---- JoinGroup ---------------------------------------------------------------------------

  async handleJoinGroup(from: string, request: JoinGroupRequest): Promise<JoinGroupResponse> {
    const { sessionTimeoutMs, memberId } = request;
    if (sessionTimeoutMs < this.config['group.min.session.timeout.ms'] || sessionTimeoutMs > this.config['group.max.session.timeout.ms']) {
      return joinError('INVALID_SESSION_TIMEOUT', memberId);
    }
    if (!request.protocolType || request.protocols.length === 0) return joinError('INCONSISTENT_GROUP_PROTOCOL', memberId);
    const shard = await this.ownedShard(request.groupId);
    if (typeof shard === 'string') return joinError(shard, memberId);
    let group = shard.groups.get(request.groupId);
    if (!group) {
      group = new Group(request.groupId);
      shard.groups.set(group.groupId, group);
    }
    // Being deleted: the member finds the coordinator again and joins a new group.
    if (group.state === 'Dead') return joinError('COORDINATOR_NOT_AVAILABLE', memberId);
    if (group.members.size > 0 && (request.protocolType !== group.protocolType || !this.supportsProtocols(group, request.protocols))) {
      return joinError('INCONSISTENT_GROUP_PROTOCOL', memberId);
    }
    const clientId = request.clientId ?? from;
    if (memberId === '') {
      // KIP-394: the member learns its id first, then joins with it, so a retried join is not a new member.
      const id = `${clientId}-${uuid(this.random)}`;
      const g = group;
      group.pending.set(id, this.clock.setTimer(sessionTimeoutMs, () => {
        if (!shard.active || !g.pending.delete(id)) return;
        this.checkJoinComplete(shard, g);
        this.dropIfUnused(shard, g);
      }));
      return joinError('MEMBER_ID_REQUIRED', id);
    }
    const pendingTimer = group.pending.get(memberId);
    if (pendingTimer) {
      pendingTimer.cancel();
      group.pending.delete(memberId);
      const member: Member = {
        memberId, clientId, clientHost: `/${from}`, sessionTimeoutMs, rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        protocols: copyProtocols(request.protocols), assignment: new Uint8Array(0), awaitingJoin: null, awaitingSync: null,
        heartbeatDeadline: this.clock.now() + sessionTimeoutMs, timer: null,
      };
      group.members.set(memberId, member);
      group.protocolType = request.protocolType;
      group.leaderId ??= memberId;
      this.watchSession(shard, group, member);
      const joined = this.awaitJoin(member);
      if (group.initialDelay) group.initialDelay.newMemberAdded = true;
      if (group.state === 'PreparingRebalance') {
        this.emit(group, `${memberId} joined`);
        this.checkJoinComplete(shard, group);
      } else {
        this.prepareRebalance(shard, group, `${memberId} joined${request.reason ? ` (${request.reason})` : ''}`);
      }
      return joined;
    }
    const member = group.members.get(memberId);
    if (!member) return joinError('UNKNOWN_MEMBER_ID', memberId);
    const changed = !sameProtocols(member.protocols, request.protocols);
    member.protocols = copyProtocols(request.protocols);
    member.sessionTimeoutMs = sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.heartbeatDeadline = this.clock.now() + sessionTimeoutMs;
    switch (group.state) {
      case 'PreparingRebalance': {
        const joined = this.awaitJoin(member);
        this.checkJoinComplete(shard, group);
        return joined;
      }
      case 'CompletingRebalance':
      case 'Stable':
        // A member asking again with nothing new gets the current generation; a leader's or a changed subscription's join rebalances.
        if (!changed && (group.state === 'CompletingRebalance' || memberId !== group.leaderId)) return this.joinResponse(group, member);
        {
          const joined = this.awaitJoin(member);
          this.prepareRebalance(shard, group, `${memberId} rejoined${changed ? ' with a new subscription' : ''}${request.reason ? ` (${request.reason})` : ''}`);
          return joined;
        }
      default:
        return joinError('UNKNOWN_MEMBER_ID', memberId);
    }
  }

  private awaitJoin(member: Member): Promise<JoinGroupResponse> {
    // A second JoinGroup replaces the first, which is answered so the client is not left waiting.
    member.awaitingJoin?.(joinError('REBALANCE_IN_PROGRESS', member.memberId));
    return new Promise((resolve) => { member.awaitingJoin = resolve; });
  }

  private supportsProtocols(group: Group, protocols: { name: string }[]): boolean {
    const candidates = this.candidateProtocols(group);
    return protocols.some((p) => candidates.includes(p.name));
  }

  /** The protocols every member supports, in the first member's order of preference. */
  private candidateProtocols(group: Group): string[] {
    const members = [...group.members.values()];
    if (members.length === 0) return [];
    return members[0].protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** Kafka's vote: each member votes for its most preferred candidate; the most votes win. */
  private selectProtocol(group: Group): string {
    const candidates = this.candidateProtocols(group);
    const votes = new Map<string, number>();
    for (const member of group.members.values()) {
      const choice = member.protocols.find((p) => candidates.includes(p.name))!.name;
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    return [...votes].reduce((best, next) => (next[1] > best[1] ? next : best))[0];
  }

  private prepareRebalance(shard: Shard, group: Group, reason: string): void {
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) {
        member.awaitingSync?.(syncError('REBALANCE_IN_PROGRESS'));
        member.awaitingSync = null;
      }
    }
    group.syncTimer?.cancel();
    group.syncTimer = null;
    group.pendingSync.clear();
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    const rebalanceTimeout = Math.max(0, ...[...group.members.values()].map((m) => m.rebalanceTimeoutMs));
    group.joinTimer?.cancel();
    if (wasEmpty && this.config['group.initial.rebalance.delay.ms'] > 0) {
      const delay = Math.min(this.config['group.initial.rebalance.delay.ms'], rebalanceTimeout);
      group.initialDelay = { remainingMs: rebalanceTimeout - delay, newMemberAdded: false };
      this.emit(group, `${reason}; waiting group.initial.rebalance.delay.ms (${delay} ms) for more members`);
      group.joinTimer = this.clock.setTimer(delay, () => this.initialDelayExpired(shard, group, delay));
      return;
    }
    group.initialDelay = null;
    this.emit(group, reason);
    const generation = group.generationId;
    group.joinTimer = this.clock.setTimer(rebalanceTimeout, () => {
      if (shard.active && group.state === 'PreparingRebalance' && group.generationId === generation) this.completeJoin(shard, group);
    });
    this.checkJoinComplete(shard, group);
  }

  private initialDelayExpired(shard: Shard, group: Group, delay: number): void {
    const initial = group.initialDelay;
    if (!shard.active || group.state !== 'PreparingRebalance' || !initial) return;
    if (initial.newMemberAdded && initial.remainingMs > 0) {
      // Members are still arriving: wait another delay, within the rebalance timeout.
      const next = Math.min(delay, initial.remainingMs);
      group.initialDelay = { remainingMs: initial.remainingMs - next, newMemberAdded: false };
      group.joinTimer = this.clock.setTimer(next, () => this.initialDelayExpired(shard, group, next));
      return;
    }
    group.initialDelay = null;
    this.completeJoin(shard, group);
  }

  private checkJoinComplete(shard: Shard, group: Group): void {
    if (group.state !== 'PreparingRebalance' || group.initialDelay || group.pending.size > 0) return;
    for (const member of group.members.values()) if (!member.awaitingJoin) return;
    this.completeJoin(shard, group);
  }

  /** The join phase ends: members that did not rejoin are out; a new generation starts. */
  private completeJoin(shard: Shard, group: Group): void {
    group.joinTimer?.cancel();
    group.joinTimer = null;
    group.initialDelay = null;
    const missing = [...group.members.values()].filter((m) => !m.awaitingJoin);
    for (const member of missing) this.dropMember(group, member, 'UNKNOWN_MEMBER_ID');
    group.generationId++;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocolName = null;
      group.leaderId = null;
      this.emit(group, missing.length > 0 ? `${missing.map((m) => m.memberId).join(', ')} did not rejoin in time: the group is empty` : 'every member left: the group is empty');
      void this.storeGroup(group);
      return;
    }
    group.protocolName = this.selectProtocol(group);
    if (!group.leaderId || !group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value!;
    group.state = 'CompletingRebalance';
    const now = this.clock.now();
    for (const member of group.members.values()) {
      member.heartbeatDeadline = now + member.sessionTimeoutMs;
      group.pendingSync.add(member.memberId);
      const respond = member.awaitingJoin!;
      member.awaitingJoin = null;
      respond(this.joinResponse(group, member));
    }
    this.emit(group, `generation ${group.generationId} formed with protocol ${group.protocolName}; ${group.leaderId} leads and assigns${missing.length > 0 ? `; ${missing.map((m) => m.memberId).join(', ')} did not rejoin in time` : ''}`);
    const generation = group.generationId;
    const rebalanceTimeout = Math.max(0, ...[...group.members.values()].map((m) => m.rebalanceTimeoutMs));
    group.syncTimer = this.clock.setTimer(rebalanceTimeout, () => {
      if (!shard.active || group.state !== 'CompletingRebalance' || group.generationId !== generation) return;
      // Members that never sent SyncGroup are gone; the rest rebalance without them.
      const late = [...group.pendingSync].map((id) => group.members.get(id)).filter((m): m is Member => !!m);
      for (const member of late) this.dropMember(group, member, 'UNKNOWN_MEMBER_ID');
      this.prepareRebalance(shard, group, `${late.map((m) => m.memberId).join(', ')} did not send SyncGroup in time`);
    });
  }

  private joinResponse(group: Group, member: Member): JoinGroupResponse {
    const isLeader = member.memberId === group.leaderId;
    return {
      errorCode: OK, generationId: group.generationId, protocolType: group.protocolType, protocolName: group.protocolName,
      leader: group.leaderId ?? '', memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: null, metadata: (m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? new Uint8Array(0)).slice() }))
        : [],
    };
  }

  // ---- SyncGroup ---------------------------------------------------------------------------

  async handleSyncGroup(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    const shard = await this.ownedShard(request.groupId);
    if (typeof shard === 'string') return syncError(shard);
    const group = shard.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (!group || !member) return syncError('UNKNOWN_MEMBER_ID');
    if (request.generationId !== group.generationId) return syncError('ILLEGAL_GENERATION');
    if ((request.protocolType !== null && request.protocolType !== group.protocolType)
      || (request.protocolName !== null && request.protocolName !== group.protocolName)) return syncError('INCONSISTENT_GROUP_PROTOCOL');
    member.heartbeatDeadline = this.clock.now() + member.sessionTimeoutMs;
    switch (group.state) {
      case 'PreparingRebalance':
        return syncError('REBALANCE_IN_PROGRESS');
      case 'Stable':
        return { errorCode: OK, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment.slice() };
      case 'CompletingRebalance':
        break;
      default:
        return syncError('UNKNOWN_MEMBER_ID');
    }
    group.pendingSync.delete(member.memberId);
    member.awaitingSync?.(syncError('REBALANCE_IN_PROGRESS'));
    const synced = new Promise<SyncGroupResponse>((resolve) => { member.awaitingSync = resolve; });
    if (member.memberId === group.leaderId) void this.completeSync(shard, group, request.assignments);
    return synced;
  }

  /** The leader's assignment: made durable in the group's offsets partition, then handed out. */
  private async completeSync(shard: Shard, group: Group, assignments: SyncGroupRequest['assignments']): Promise<void> {
    const generation = group.generationId;
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment.slice()]));
    const error = await this.storeGroup(group, byMember);
    if (!shard.active || group.state !== 'CompletingRebalance' || group.generationId !== generation) return;
    if (error) {
      for (const member of group.members.values()) {
        member.awaitingSync?.(syncError(error));
        member.awaitingSync = null;
      }
      this.prepareRebalance(shard, group, `storing generation ${generation} failed with ${error}`);
      return;
    }
    group.syncTimer?.cancel();
    group.syncTimer = null;
    group.state = 'Stable';
    for (const member of group.members.values()) {
      member.assignment = byMember.get(member.memberId) ?? new Uint8Array(0);
      member.awaitingSync?.({ errorCode: OK, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment.slice() });
      member.awaitingSync = null;
    }
    this.emit(group, `the leader's assignment for generation ${generation} is stored in ${CONSUMER_OFFSETS_TOPIC}-${shard.index}`);
  }

  // ---- Heartbeat and LeaveGroup ------------------------------------------------------------

  async handleHeartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    const shard = await this.ownedShard(request.groupId);
    if (typeof shard === 'string') return { errorCode: errorCode(shard) };
    const group = shard.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (!group || !member) return { errorCode: errorCode('UNKNOWN_MEMBER_ID') };
    if (request.generationId !== group.generationId) return { errorCode: errorCode('ILLEGAL_GENERATION') };
    member.heartbeatDeadline = this.clock.now() + member.sessionTimeoutMs;
    return { errorCode: group.state === 'PreparingRebalance' ? errorCode('REBALANCE_IN_PROGRESS') : OK };
  }

  async handleLeaveGroup(request: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    const shard = await this.ownedShard(request.groupId);
    if (typeof shard === 'string') return { errorCode: errorCode(shard), members: [] };
    const group = shard.groups.get(request.groupId);
    const members = request.members.map((m) => {
      const result = { memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: OK };
      const pending = group?.pending.get(m.memberId);
      if (pending) {
        pending.cancel();
        group!.pending.delete(m.memberId);
        this.checkJoinComplete(shard, group!);
        this.dropIfUnused(shard, group!);
        return result;
      }
      const member = group?.members.get(m.memberId);
      if (!group || !member) return { ...result, errorCode: errorCode('UNKNOWN_MEMBER_ID') };
      this.removeMember(shard, group, member, `${m.memberId} left the group (LeaveGroup${m.reason ? `: ${m.reason}` : ''})`);
      return result;
    });
    return { errorCode: OK, members };
  }

  /** A member's session timer: it is removed once `session.timeout.ms` passes without a heartbeat. */
  private watchSession(shard: Shard, group: Group, member: Member): void {
    member.timer?.cancel();
    member.timer = this.clock.setTimer(Math.max(0, member.heartbeatDeadline - this.clock.now()), () => {
      member.timer = null;
      if (!shard.active || group.members.get(member.memberId) !== member) return;
      const now = this.clock.now();
      // A member waiting for its JoinGroup or SyncGroup answer is alive: the coordinator owes it one.
      if (member.awaitingJoin || member.awaitingSync) member.heartbeatDeadline = Math.max(member.heartbeatDeadline, now + member.sessionTimeoutMs);
      if (now < member.heartbeatDeadline) {
        this.watchSession(shard, group, member);
        return;
      }
      this.removeMember(shard, group, member, `${member.memberId} missed heartbeats for session.timeout.ms (${member.sessionTimeoutMs} ms): removed`);
    });
  }

  private dropMember(group: Group, member: Member, error: ErrorName): void {
    member.timer?.cancel();
    member.awaitingJoin?.(joinError(error, member.memberId));
    member.awaitingSync?.(syncError(error));
    group.members.delete(member.memberId);
    group.pendingSync.delete(member.memberId);
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
  }

  private removeMember(shard: Shard, group: Group, member: Member, reason: string): void {
    this.dropMember(group, member, 'UNKNOWN_MEMBER_ID');
    if (group.state === 'PreparingRebalance') {
      this.emit(group, reason);
      this.checkJoinComplete(shard, group);
    } else if (group.state === 'Stable' || group.state === 'CompletingRebalance') {
      this.prepareRebalance(shard, group, reason);
    }
  }

  // ---- Storing groups ----------------------------------------------------------------------

  /** Appends records to the group's offsets partition and waits for the ISR; the error name, or null. */
  private async append(groupId: string, records: { key: Uint8Array; value: Uint8Array | null }[]): Promise<ErrorName | null> {
    const partition = this.offsetsPartition(partitionForGroup(groupId, this.partitionsOf()));
    if (!partition || partition.role !== 'leader') return 'NOT_COORDINATOR';
    const timestamp = Math.floor(this.clock.now());
    try {
      const batch = await encodeBatch({ records: records.map((r) => ({ ...r, timestamp })) });
      const info = await partition.appendAsLeader(batch);
      // Like acks=all: answered only once the ISR has it.
      if (!(await partition.waitForHighWatermark(info.lastOffset + 1, this.config['offsets.commit.timeout.ms']))) return 'COORDINATOR_NOT_AVAILABLE';
      return null;
    } catch (error) {
      return storeErrorName(error);
    }
  }

  /** Writes the group's GroupMetadataValue (with `assignments` for a new generation). */
  private storeGroup(group: Group, assignments?: Map<string, Uint8Array>): Promise<ErrorName | null> {
    const value = encodeGroupMetadataValue({
      protocolType: group.protocolType ?? '', generation: group.generationId, protocol: group.protocolName, leader: group.leaderId,
      currentStateTimestamp: Math.floor(this.clock.now()),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId, groupInstanceId: null, clientId: m.clientId, clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs, sessionTimeout: m.sessionTimeoutMs,
        subscription: m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? new Uint8Array(0),
        assignment: assignments?.get(m.memberId) ?? m.assignment,
      })),
    });
    return this.append(group.groupId, [{ key: encodeGroupMetadataKey(group.groupId), value }]);
  }

  // ---- Offsets -----------------------------------------------------------------------------

  async handleOffsetCommit(request: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    const fail = (code: number): OffsetCommitResponse => ({
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })),
    });
    const shard = await this.ownedShard(request.groupId);
    if (typeof shard === 'string') return fail(errorCode(shard));
    let group = shard.groups.get(request.groupId);
    if (group?.state === 'Dead') return fail(errorCode('COORDINATOR_NOT_AVAILABLE'));
    const generation = request.generationIdOrMemberEpoch;
    if (generation < 0 && (!group || group.state === 'Empty')) {
      // A commit from outside the group's membership (admin tools, a consumer without a group protocol): only while the group is empty.
      if (!group) {
        group = new Group(request.groupId);
        shard.groups.set(group.groupId, group);
      }
    } else {
      if (!group) return fail(errorCode('ILLEGAL_GENERATION'));
      const member = group.members.get(request.memberId);
      if (!member) return fail(errorCode('UNKNOWN_MEMBER_ID'));
      if (generation !== group.generationId) return fail(errorCode('ILLEGAL_GENERATION'));
      if (group.state === 'CompletingRebalance') return fail(errorCode('REBALANCE_IN_PROGRESS'));
      member.heartbeatDeadline = this.clock.now() + member.sessionTimeoutMs;
    }
    const now = Math.floor(this.clock.now());
    const entries = request.topics.flatMap((t) => t.partitions.map((p) => ({
      topic: t.name, partition: p.partitionIndex,
      value: { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '', commitTimestamp: now },
    })));
    if (entries.length === 0) return { topics: [] };
    const error = await this.append(request.groupId, entries.map((e) => ({
      key: encodeOffsetCommitKey({ group: request.groupId, topic: e.topic, partition: e.partition }), value: encodeOffsetCommitValue(e.value),
    })));
    if (error) {
      this.dropIfUnused(shard, group);
      return fail(errorCode(error));
    }
    // Durable in the log; a coordinator that moved or a group deleted meanwhile learns it from the log, not from here.
    if (!shard.active || shard.groups.get(request.groupId) !== group) return fail(OK);
    const wasNew = group.offsets.size === 0 && !group.hasMetadata;
    for (const e of entries) {
      group.offsets.set(offsetKey(e.topic, e.partition), { topic: e.topic, partition: e.partition, ...e.value });
      this.events({ type: 'offset-commit', time: now, node: this.node, groupId: request.groupId, topic: e.topic, partition: e.partition, offset: e.value.offset });
    }
    if (wasNew) this.emit(group, 'offsets committed from outside any group membership');
    return fail(OK);
  }

  async handleOffsetFetch(request: OffsetFetchRequest): Promise<OffsetFetchResponse> {
    const shard = await this.ownedShard(request.groupId);
    if (typeof shard === 'string') return { errorCode: errorCode(shard), topics: [] };
    const offsets = shard.groups.get(request.groupId)?.offsets ?? new Map<string, CommittedOffset>();
    const wanted = request.topics ?? groupByTopic([...offsets.values()]).map(({ topic, partitions }) => ({ name: topic, partitionIndexes: partitions }));
    return {
      errorCode: OK,
      topics: wanted.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const committed = offsets.get(offsetKey(t.name, partitionIndex));
          return {
            partitionIndex, errorCode: OK, committedOffset: committed?.offset ?? -1,
            committedLeaderEpoch: committed?.leaderEpoch ?? -1, metadata: committed?.metadata ?? null,
          };
        }),
      })),
    };
  }

  // ---- Admin -------------------------------------------------------------------------------

  async handleDescribeGroups(request: DescribeGroupsRequest): Promise<DescribeGroupsResponse> {
    return {
      groups: await Promise.all(request.groups.map(async (groupId) => {
        const described = { errorCode: OK, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] as DescribeGroupsResponse['groups'][number]['members'] };
        const shard = await this.ownedShard(groupId);
        if (typeof shard === 'string') return { ...described, errorCode: errorCode(shard) };
        const group = shard.groups.get(groupId);
        if (!group) return described;
        return {
          ...described, groupState: group.state, protocolType: group.protocolType ?? '',
          protocolData: group.state === 'Stable' ? group.protocolName ?? '' : '',
          members: [...group.members.values()].map((m) => ({
            memberId: m.memberId, groupInstanceId: null, clientId: m.clientId, clientHost: m.clientHost,
            // As Kafka: metadata and assignment only once the group is Stable.
            memberMetadata: group.state === 'Stable' ? (m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? new Uint8Array(0)).slice() : new Uint8Array(0),
            memberAssignment: group.state === 'Stable' ? m.assignment.slice() : new Uint8Array(0),
          })),
        };
      })),
    };
  }

  async handleListGroups(request: ListGroupsRequest): Promise<ListGroupsResponse> {
    const shards = [...this.shards.values()];
    await Promise.all(shards.map((s) => s.loaded));
    const states = new Set(request.statesFilter.map((s) => s.toLowerCase()));
    const groups = shards.filter((s) => s.active).flatMap((s) => [...s.groups.values()])
      .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state }));
    return { errorCode: OK, groups };
  }

  async handleDeleteGroups(request: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
    return {
      results: await Promise.all(request.groupsNames.map(async (groupId) => {
        const shard = await this.ownedShard(groupId);
        if (typeof shard === 'string') return { groupId, errorCode: errorCode(shard) };
        const group = shard.groups.get(groupId);
        if (!group) return { groupId, errorCode: errorCode('GROUP_ID_NOT_FOUND') };
        if (group.state !== 'Empty' || group.pending.size > 0) return { groupId, errorCode: errorCode('NON_EMPTY_GROUP') };
        const tombstones = [
          ...[...group.offsets.values()].map((c) => ({ key: encodeOffsetCommitKey({ group: groupId, topic: c.topic, partition: c.partition }), value: null })),
          { key: encodeGroupMetadataKey(groupId), value: null },
        ];
        // Dead while the tombstones are written, as Kafka: a JoinGroup or commit meanwhile is told to come back.
        group.state = 'Dead';
        const error = await this.append(groupId, tombstones);
        if (error) {
          group.state = 'Empty';
          return { groupId, errorCode: errorCode(error) };
        }
        if (shard.groups.get(groupId) === group) shard.groups.delete(groupId);
        this.cancelTimers(group);
        this.emit(group, 'deleted (DeleteGroups): tombstones for its metadata and offsets', 'deleted');
        return { groupId, errorCode: OK };
      })),
    };
  }

  // ---- Helpers -----------------------------------------------------------------------------

  /** A group that only ever had a member id handed out, or a failed first commit, is not a group. */
  private dropIfUnused(shard: Shard, group: Group): void {
    if (group.state === 'Empty' && group.members.size === 0 && group.pending.size === 0 && !group.hasMetadata && group.offsets.size === 0
      && shard.groups.get(group.groupId) === group) shard.groups.delete(group.groupId);
  }

  private cancelTimers(group: Group): void {
    group.joinTimer?.cancel();
    group.syncTimer?.cancel();
    for (const timer of group.pending.values()) timer.cancel();
    for (const member of group.members.values()) member.timer?.cancel();
  }

  private emit(group: Group, reason: string, dead?: 'deleted' | 'unloaded'): void {
    const state: GroupState = dead ? 'Dead' : group.state;
    const members: GroupMemberView[] = [...group.members.values()].map((m) => ({
      memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, sessionTimeoutMs: m.sessionTimeoutMs,
      assignment: group.protocolType === 'consumer' && state !== 'Dead' ? safeAssignment(m.assignment) : [],
    }));
    this.events({
      type: 'group-state', time: this.clock.now(), node: this.node, groupId: group.groupId, state,
      generationId: group.generationId, protocolType: group.protocolType ?? '', protocolName: group.protocolName,
      leader: group.leaderId, members, reason, ...(dead ? { cause: dead } : {}),
    });
  }
}

/**
 * Requests and answers move their buffers between nodes (transferred, not copied): the
 * coordinator keeps its own copies and sends copies out.
 */
const copyProtocols = (protocols: { name: string; metadata: Uint8Array }[]) => protocols.map((p) => ({ name: p.name, metadata: p.metadata.slice() }));

function safeAssignment(bytes: Uint8Array) {
  try {
    return decodeAssignment(bytes).assignedPartitions;
  } catch {
    return [];
  }
}

const joinError = (type: ErrorName, memberId: string): JoinGroupResponse => ({
  errorCode: errorCode(type), generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [],
});
const syncError = (type: ErrorName): SyncGroupResponse => ({ errorCode: errorCode(type), protocolType: null, protocolName: null, assignment: new Uint8Array(0) });

const errorNameOf = (error: unknown): ErrorName => (error as KafkaProtocolError).type ?? 'UNKNOWN_SERVER_ERROR';

function sameProtocols(a: { name: string; metadata: Uint8Array }[], b: { name: string; metadata: Uint8Array }[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.length === b[i].metadata.length
    && p.metadata.every((byte, j) => byte === b[i].metadata[j]));
}

/** A random version-4 UUID, as Kafka names members `clientId-uuid`. */
function uuid(random: Random): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random.next() * 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * As Kafka's coordinator: a write that failed for replication or leadership reasons is reported
 * as a coordinator problem, so the client looks the coordinator up again and retries.
 */
function storeErrorName(error: unknown): ErrorName {
  const type = errorNameOf(error);
  switch (type) {
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return 'NOT_COORDINATOR';
    case 'REQUEST_TIMED_OUT':
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
      return 'COORDINATOR_NOT_AVAILABLE';
    default:
      return type;
  }
}

