/**
 * Plain-text formatting for the UI: one human sentence per cluster event, metadata records
 * with their key fields, times and offsets. Pure, so it is unit-tested without a browser.
 */
import type { ClusterEvent } from '../cluster/events';
import type { LoggedEvent, QuorumMessage } from '../store/clusterStore';
import type { MetadataRecord } from '../kafka/metadata/records';
import { PLAYGROUND_DEFAULT_NOTES } from '../kafka/config';
import { formatCut } from '../cluster/networkCut';
import { isDeletion } from '../store/groups';

/** Resolves a topic id to its name, for records that carry only the id (PartitionRecord, ...). */
export type TopicNameOf = (topicId: string) => string | undefined;

/** "1 batch", "3 batches". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** HH:MM:SS.mmm in local time. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** "10–14", or "10" for a single offset. */
export function offsetRange(first: number, last: number): string {
  return first === last ? String(first) : `${first}–${last}`;
}

export const list = (ids: readonly number[]): string => `[${ids.join(', ')}]`;

/** Kafka's `-1` leader, shown as kafka-topics.sh users would want to read it. */
export const leaderLabel = (leader: number): string => (leader < 0 ? 'none (offline)' : String(leader));

/** "750 ms", "3 s", "12.5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** Kafka's own default for a config where the playground departs from it, as its note states ("Kafka's default is 9000"). */
export function kafkaDefaultOf(name: string): string | null {
  const match = /Kafka's default is ([^.;,]+)/.exec(PLAYGROUND_DEFAULT_NOTES[name] ?? '');
  return match ? match[1].trim() : null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const topicOf = (topicId: string, nameOf?: TopicNameOf): string => nameOf?.(topicId) ?? `topic ${topicId.slice(0, 8)}`;

/** A metadata record's key fields, without its type: "broker 3 (broker epoch 12)". */
export function recordFields(record: MetadataRecord, nameOf?: TopicNameOf): string {
  switch (record.type) {
    case 'FeatureLevelRecord':
      return `${record.name} = ${record.featureLevel}`;
    case 'RegisterBrokerRecord':
      return `broker ${record.brokerId} (broker epoch ${record.brokerEpoch}${record.rack ? `, ${record.rack}` : ''}${record.fenced ? ', fenced' : ''})`;
    case 'UnregisterBrokerRecord':
      return `broker ${record.brokerId} (broker epoch ${record.brokerEpoch})`;
    case 'FenceBrokerRecord':
    case 'UnfenceBrokerRecord':
      return `broker ${record.id} (broker epoch ${record.epoch})`;
    case 'TopicRecord':
      return `${record.name} (topic id ${record.topicId.slice(0, 8)}…)`;
    case 'PartitionRecord':
      return `${topicOf(record.topicId, nameOf)}-${record.partitionId}: replicas ${list(record.replicas)}, isr ${list(record.isr)}, leader ${leaderLabel(record.leader)}`;
    case 'PartitionChangeRecord': {
      const changes: string[] = [];
      if (record.leader !== undefined) changes.push(`leader → ${leaderLabel(record.leader)}`);
      if (record.isr !== undefined) changes.push(`isr → ${list(record.isr)}`);
      if (record.replicas !== undefined) changes.push(`replicas → ${list(record.replicas)}`);
      return `${topicOf(record.topicId, nameOf)}-${record.partitionId}: ${changes.join(', ') || 'no change'}`;
    }
    case 'ConfigRecord':
      return `${record.resourceType} ${record.resourceName}: ${record.name} ${record.value === null ? 'removed' : `= ${record.value}`}`;
    case 'RemoveTopicRecord':
      return topicOf(record.topicId, nameOf);
    case 'ProducerIdsRecord':
      return `producer ids below ${record.nextProducerId} taken (block for broker ${record.brokerId})`;
    case 'LeaderChangeMessage':
      return `controller ${record.leaderId} leads the quorum (voters ${list(record.voters)}, granted by ${list(record.grantingVoters)})`;
  }
}

/** "FenceBrokerRecord for broker 3", as written in an event sentence. */
function recordPhrase(record: MetadataRecord, nameOf?: TopicNameOf): string {
  switch (record.type) {
    case 'RegisterBrokerRecord':
    case 'UnregisterBrokerRecord':
    case 'FenceBrokerRecord':
    case 'UnfenceBrokerRecord':
      return `${record.type} for ${recordFields(record, nameOf)}`;
    case 'TopicRecord':
      return `TopicRecord creating ${record.name}`;
    case 'PartitionRecord':
    case 'PartitionChangeRecord':
    case 'ConfigRecord':
      return `${record.type} ${recordFields(record, nameOf)}`;
    case 'RemoveTopicRecord':
      return `RemoveTopicRecord deleting ${recordFields(record, nameOf)}`;
    case 'FeatureLevelRecord':
    case 'ProducerIdsRecord':
    case 'LeaderChangeMessage':
      return `${record.type} ${recordFields(record, nameOf)}`;
  }
}

/** Whether an ISR change shrinks or expands it, and who leaves or joins. */
export function isrChange(from: readonly number[], to: readonly number[]): { kind: 'shrink' | 'expand' | 'change'; who: string } {
  const left = from.filter((id) => !to.includes(id));
  const joined = to.filter((id) => !from.includes(id));
  const names = (ids: number[]) => (ids.length === 1 ? `broker ${ids[0]}` : `brokers ${ids.join(', ')}`);
  const who = [left.length > 0 ? `${names(left)} ${left.length === 1 ? 'leaves' : 'leave'}` : '', joined.length > 0 ? `${names(joined)} ${joined.length === 1 ? 'joins' : 'join'}` : '']
    .filter(Boolean).join(', ');
  const kind = joined.length === 0 && left.length > 0 ? 'shrink' : left.length === 0 && joined.length > 0 ? 'expand' : 'change';
  return { kind, who };
}

/** One human sentence for a cluster event; the node is part of the sentence. */
export function describeEvent(event: LoggedEvent, nameOf?: TopicNameOf): string {
  switch (event.type) {
    case 'quorum-message':
      return describeQuorumMessage(event);
    case 'node-spawned':
      return `${event.node} was started (a new Web Worker)`;
    case 'node-killed':
      return `${event.node} was killed`;
    case 'cluster-reset':
      return `cluster reset: all data deleted; brokers ${event.brokers.join(', ')}, controllers ${event.controllers.join(', ')}`;
    case 'speed-changed':
      return `clock speed set to ${event.speed}×`;
    case 'network-changed':
      return event.cut
        ? `network partition: ${formatCut(event.cut)}; messages across the cut are dropped both ways; the page's clients are with {${event.cut.groups[event.cut.clients].join(',')}}`
        : 'network healed: every node reaches every other again';
    case 'node-started': {
      const r = event.recovered;
      if (event.role !== 'broker') return `${event.node} started`;
      return r.partitions === 0
        ? `${event.node} started with an empty disk`
        : `${event.node} started: recovered ${plural(r.partitions, 'partition')}, ${plural(r.batches, 'batch', 'batches')}, ${formatBytes(r.bytes)} from IndexedDB`;
    }
    case 'log-recovered': {
      const truncated = event.truncated ? `; truncated at offset ${event.truncated.at} (${event.truncated.reason})` : '';
      return `${event.node} recovered ${event.topic}-${event.partition}: ${plural(event.batches, 'batch', 'batches')}, log end offset ${event.logEndOffset}${truncated}`;
    }
    case 'log-append': {
      const what = event.baseOffset === event.lastOffset ? 'offset' : 'offsets';
      const compression = event.compression && event.compression !== 'none' ? `, ${event.compression}` : '';
      const verb = event.replicated ? 'replicated' : 'appended';
      const source = event.replicated ? ', fetched from the leader' : '';
      return `${event.node} ${verb} ${what} ${offsetRange(event.baseOffset, event.lastOffset)} to ${event.topic}-${event.partition} (leader epoch ${event.leaderEpoch}${compression}${source})`;
    }
    case 'partition-offsets':
      return `${event.node} ${event.topic}-${event.partition} (${event.role}): log end offset ${event.logEndOffset}, high watermark ${event.highWatermark}`;
    case 'partition-deleted':
      return `${event.node} deleted its replica of ${event.topic}-${event.partition}`;
    case 'metadata-record':
      if (event.record.type === 'FenceBrokerRecord') {
        return `${event.node} fenced broker ${event.record.id}: wrote FenceBrokerRecord (broker epoch ${event.record.epoch}) at metadata offset ${event.offset}; it may no longer lead or be in an ISR`;
      }
      if (event.record.type === 'UnfenceBrokerRecord') {
        return `${event.node} unfenced broker ${event.record.id}: wrote UnfenceBrokerRecord (broker epoch ${event.record.epoch}) at metadata offset ${event.offset}`;
      }
      return `${event.node} wrote ${recordPhrase(event.record, nameOf)} at metadata offset ${event.offset}`;
    case 'metadata-applied':
      return `${event.node} applied metadata up to offset ${event.offset}`;
    case 'metadata-snapshot':
      return `${event.node} holds the metadata before offset ${event.endOffset} as a snapshot (epoch ${event.epoch}, ${event.records.length} records)`;
    case 'broker-state':
      return `${event.node} is now ${event.state}${event.brokerEpoch >= 0 ? ` (broker epoch ${event.brokerEpoch})` : ''}`;
    case 'controller-state':
      return event.active
        ? `${event.node} is the active controller (epoch ${event.epoch}); metadata log end offset ${event.logEndOffset}, committed ${event.committedOffset}`
        : `${event.node} is no longer the active controller (epoch ${event.epoch}); it may not write metadata; log end offset ${event.logEndOffset}, committed ${event.committedOffset}`;
    case 'group-state':
      return describeGroupState(event);
    case 'consumer-rebalance': {
      const what = topicPartitionsText(event.partitions);
      switch (event.phase) {
        case 'join':
          return `${event.node} sends JoinGroup to group ${event.groupId}${event.memberId ? ` as member ${event.memberId}` : ' as a new member'} (protocol ${event.protocol})`;
        case 'revoke':
          return `${event.node} revokes ${what || 'no partitions'} in group ${event.groupId} (generation ${event.generationId}): it commits and stops fetching them${event.protocol === 'cooperative-sticky' ? ' (cooperative: only the partitions that move)' : ' before rejoining (eager: all it had)'}`;
        case 'assign':
          return `${event.node} is assigned ${what || 'no partitions'} in group ${event.groupId}, generation ${event.generationId} (${event.protocol}, from the leader's SyncGroup)`;
      }
      break;
    }
    case 'client-started':
      if (event.kind === 'producer') return `${event.client} started: a producer application in its own Web Worker, sending to ${event.topics.join(', ')}`;
      return `${event.client} started: a consumer application in its own Web Worker, group ${event.groupId}, topics ${event.topics.join(', ')}`;
    case 'client-stopped':
      if (event.kind === 'producer') return `${event.client} stopped: it finished the sends it had in flight and disconnected`;
      return `${event.client} stopped: it committed, sent LeaveGroup and its group rebalances at once`;
    case 'client-killed':
      if (event.kind === 'producer') return `${event.client} was killed: its worker is terminated, and what it had not yet had acknowledged is lost with it`;
      return `${event.client} was killed: its worker is terminated without a LeaveGroup; the coordinator notices only when session.timeout.ms passes without a heartbeat`;
    case 'producer-sent': {
      const failed = Object.entries(event.errors).map(([name, n]) => `${n} failed with ${name}`).join(', ');
      const parts = event.partitions.map((p) => `${event.topic}-${p.partition}${p.firstOffset === null || p.lastOffset === null ? ` ×${p.count}` : ` @${offsetRange(p.firstOffset, p.lastOffset)}`}`).join(', ');
      const acked = event.acks === 0 ? 'sent (acks=0: no reply)' : 'acknowledged';
      return `${event.node}: ${plural(event.acknowledged, 'record')} ${acked}${parts ? ` (${parts})` : ''}${failed ? `; ${failed}` : ''}`;
    }
    case 'time-paused':
      return 'paused: the cluster clock stopped, and every node holds the messages that reach it';
    case 'time-resumed':
      return `playing at ${event.speed}×: the held messages are delivered`;
    case 'time-stepped':
      return event.delivered
        ? `step: delivered the oldest held message, ${event.delivered.from} → ${event.delivered.to}; ${plural(event.held, 'message')} still held`
        : `step: nothing held, the cluster clock moved ${event.advancedMs} ms and the timers due ran`;
    case 'latency-changed':
      return event.latencyMs > 0 ? `visual mode: every hop takes ${event.latencyMs} ms more of cluster time` : 'visual mode off: no added network latency';
    case 'consumer-processed':
      return `${event.node} processed ${plural(event.count, 'record')} of ${event.topic}-${event.partition} (offset${event.firstOffset === event.lastOffset ? '' : 's'} ${offsetRange(event.firstOffset, event.lastOffset)}) for group ${event.groupId}`;
    case 'offset-commit':
      if (event.loaded) return `${event.node} loaded group ${event.groupId}'s committed offset ${event.offset} for ${event.topic}-${event.partition} from __consumer_offsets`;
      return `${event.node} stored group ${event.groupId}'s committed offset ${event.offset} (the next to read) for ${event.topic}-${event.partition} in __consumer_offsets`;
    case 'client-error': {
      let message = event.message;
      while (message.startsWith(`${event.error}: `)) message = message.slice(event.error.length + 2);
      return `${event.node} ${event.operation} failed: ${event.error}${message && message !== event.error ? ` — ${message}` : ''}`;
    }
    case 'log':
      return `${event.node} ${event.level === 'info' ? '' : `[${event.level}] `}${event.message}`;
    case 'message-sent':
      return `${event.from} sent ${event.api} ${event.kind} to ${event.to}`;
    case 'message-delivered':
      return `${event.to} received ${event.api} ${event.kind} from ${event.from}`;
    case 'isr-change': {
      const tp = `${event.topic}-${event.partition}`;
      const change = isrChange(event.from, event.to);
      const what = `ISR ${change.kind} for ${tp}${change.who ? ` (${change.who})` : ''}: ${list(event.from)} → ${list(event.to)}`;
      switch (event.phase) {
        case 'proposed':
          return `${event.node} asks the controller for an ${what}, with AlterPartition at leader epoch ${event.leaderEpoch} (${event.reason})`;
        case 'committed':
          return `${event.node}: ${what}, committed by the controller (${event.reason})`;
        case 'rejected':
          return `${event.node}: the controller rejected the ${what}${event.error ? ` with ${event.error}` : ''} (${event.reason})`;
      }
      break;
    }
    case 'leader-election': {
      const tp = `${event.topic}-${event.partition}`;
      const was = event.previousLeader < 0 ? 'it had none' : `was broker ${event.previousLeader}`;
      switch (event.kind) {
        case 'clean':
          return `${event.node} elected broker ${event.leader} leader of ${tp} at leader epoch ${event.leaderEpoch}, from the ISR ${list(event.isr)}; ${was} (${event.reason})`;
        case 'preferred':
          return `${event.node} moved ${tp}'s leadership back to its preferred replica, broker ${event.leader}, at leader epoch ${event.leaderEpoch}; ${was} (${event.reason})`;
        case 'unclean':
          return `${event.node} made an UNCLEAN election: broker ${event.leader}, not in the ISR, leads ${tp} at leader epoch ${event.leaderEpoch}; ${was} (${event.reason})`;
        case 'offline':
          return `${event.node}: ${tp} is offline (leader none, leader epoch ${event.leaderEpoch}): no live in-sync replica may lead; ${was} (${event.reason})`;
      }
      break;
    }
    case 'log-truncated': {
      const removed = event.from - event.to;
      const what = removed > 0 ? `, dropping ${plural(removed, 'offset')} (${offsetRange(event.to, event.from - 1)})` : '';
      return `${event.node} truncated its log of ${event.topic}-${event.partition} from log end offset ${event.from} to ${event.to}${what} (${event.reason})`;
    }
    case 'log-start-moved': {
      const deleted = event.segments > 0 ? `${plural(event.segments, 'segment')}, ` : '';
      return `${event.node} deleted ${deleted}${formatBytes(event.bytes)} of ${event.topic}-${event.partition} (${offsetRange(event.from, event.to - 1)}): its log start offset moved from ${event.from} to ${event.to} (${event.reason})`;
    }
    case 'request-rejected': {
      let message = event.message;
      while (message.startsWith(`${event.error}: `)) message = message.slice(event.error.length + 2);
      return `${event.node} rejected a ${event.api} request to ${event.topic}-${event.partition} with ${event.error}${message && message !== event.error ? `: ${message}` : ''}`;
    }
    case 'preferred-read-replica':
      return `${event.node} told a consumer in ${event.clientRack} to fetch ${event.topic}-${event.partition} from broker ${event.replica} (KIP-392)`;
    case 'producer-id':
      return `${event.node} got producer id ${event.producerId}, epoch ${event.producerEpoch}`;
    case 'quorum-state':
      return describeQuorumState(event);
  }
}

/** "demo[0,2] other[1]". */
export const topicPartitionsText = (list: readonly { topic: string; partitions: readonly number[] }[]): string =>
  list.filter((t) => t.partitions.length > 0).map((t) => `${t.topic}[${t.partitions.join(',')}]`).join(' ');

/** A group coordinator's report, as the step of the group's life it is. */
function describeGroupState(event: Extract<ClusterEvent, { type: 'group-state' }>): string {
  const members = plural(event.members.length, 'member');
  const head = `${event.node}, coordinator of group ${event.groupId}`;
  switch (event.state) {
    case 'PreparingRebalance':
      return `${head}: PreparingRebalance (generation ${event.generationId}, ${members}): ${event.reason}; every member must rejoin with JoinGroup`;
    case 'CompletingRebalance':
      return `${head}: CompletingRebalance, generation ${event.generationId} with ${members}, protocol ${event.protocolName ?? '?'}: ${event.reason}; waiting for the leader's assignment in SyncGroup`;
    case 'Stable': {
      const assignment = event.members.map((m) => `${m.clientId} ${topicPartitionsText(m.assignment) || '(none)'}`).join(', ');
      return `${head}: Stable in generation ${event.generationId} (${event.protocolName ?? '?'}): ${assignment || 'no members'}; ${event.reason}`;
    }
    case 'Empty':
      return `${head}: Empty (generation ${event.generationId}): ${event.reason}; its committed offsets stay in __consumer_offsets`;
    case 'Dead':
      return `${head}: Dead: ${event.reason}`;
  }
}

const controllerName = (address: string): string => address.replace(/^controller-/, 'controller ');

/** A KRaft state change (KIP-595), as the Raft step it is. */
function describeQuorumState(event: Extract<ClusterEvent, { type: 'quorum-state' }>): string {
  const offsets = `log end offset ${event.logEndOffset}, committed up to ${event.highWatermark - 1}`;
  switch (event.state) {
    case 'Leader':
      return `${event.node} became the quorum Leader in epoch ${event.epoch}: ${event.reason}; it writes a LeaderChangeMessage and announces itself with BeginQuorumEpoch`;
    case 'Candidate':
      return `${event.node} became a Candidate in epoch ${event.epoch}: ${event.reason}; it sends Vote requests (${offsets})`;
    case 'Prospective':
      return `${event.node} is Prospective in epoch ${event.epoch}: ${event.reason}; a pre-vote changes no epoch, so a node that was cut off cannot unseat a live leader`;
    case 'Follower':
      return `${event.node} follows controller ${event.leaderId ?? '?'} in epoch ${event.epoch}: ${event.reason}; it fetches __cluster_metadata from it (${offsets})`;
    case 'Resigned':
      return `${event.node} resigned the quorum leadership of epoch ${event.epoch}: ${event.reason}; it sends EndQuorumEpoch so the others elect at once`;
    case 'Unattached':
      if (event.votedId !== null && event.reason.startsWith('voted for')) {
        return `${event.node} granted its vote to controller ${event.votedId} in epoch ${event.epoch}, written to disk before it answered (one vote per epoch)`;
      }
      return `${event.node} is Unattached in epoch ${event.epoch}, knowing no leader${event.votedId !== null ? `, having voted for controller ${event.votedId}` : ''}: ${event.reason}`;
  }
}

/** A Raft request or response between controllers (Vote, BeginQuorumEpoch, EndQuorumEpoch, FetchSnapshot). */
function describeQuorumMessage(event: QuorumMessage): string {
  const to = controllerName(event.to);
  const dropped = event.dropped === 'cut' ? ' — dropped: across the network partition' : event.dropped === 'dead' ? ` — dropped: ${to} is down` : '';
  const error = event.error ? ` with ${event.error}` : '';
  const again = event.repeats ? ` (${event.repeats.count} times since ${formatTime(event.repeats.since)})` : '';
  if (event.kind === 'response') {
    const what = event.api === 'Vote' ? 'Vote request' : `${event.api} request`;
    return `${event.from} answered ${to}'s ${what}${error}${dropped}${again}`;
  }
  switch (event.api) {
    case 'Vote':
      return event.vote === 'vote'
        ? `${event.from} asks ${to} for its vote in epoch ${event.epoch} (Vote)${dropped}${again}`
        : `${event.from} asks ${to} for a pre-vote for epoch ${event.epoch + 1} (Vote with preVote, KIP-996)${dropped}${again}`;
    case 'BeginQuorumEpoch':
      return `${event.from} tells ${to} it leads epoch ${event.epoch} (BeginQuorumEpoch)${dropped}${again}`;
    case 'EndQuorumEpoch':
      return `${event.from} tells ${to} it gave up the leadership of epoch ${event.epoch} (EndQuorumEpoch)${dropped}${again}`;
    case 'FetchSnapshot':
      return `${event.from} fetches a metadata snapshot from ${to} (FetchSnapshot, KIP-630): the log it needs was deleted${dropped}${again}`;
    default:
      return `${event.from} sent ${event.api} ${event.kind} to ${to}${dropped}${again}`;
  }
}

/** The node an event is about, for the log's node column. */
export function eventNode(event: LoggedEvent): string {
  switch (event.type) {
    case 'cluster-reset':
    case 'speed-changed':
    case 'network-changed':
    case 'time-paused':
    case 'time-resumed':
    case 'time-stepped':
    case 'latency-changed':
      return 'host';
    case 'message-sent':
    case 'message-delivered':
      return event.from;
    case 'client-started':
    case 'client-stopped':
    case 'client-killed':
      return event.client;
    default:
      return event.node;
  }
}

/** Events worth a warning colour in the log. */
export function isTrouble(event: LoggedEvent): boolean {
  switch (event.type) {
    case 'quorum-state':
      return event.state === 'Resigned';
    case 'node-killed':
    case 'client-killed':
    case 'client-error':
      return true;
    case 'network-changed':
      return event.cut !== null;
    case 'log':
      return event.level !== 'info';
    case 'broker-state':
      return false;
    case 'metadata-record':
      return event.record.type === 'FenceBrokerRecord' || (event.record.type === 'PartitionChangeRecord' && event.record.leader === -1);
    case 'log-recovered':
      return event.truncated !== undefined;
    case 'isr-change':
      return event.phase === 'rejected' || (event.phase === 'committed' && isrChange(event.from, event.to).kind === 'shrink');
    case 'leader-election':
      return event.kind === 'unclean' || event.kind === 'offline';
    case 'log-truncated':
    case 'request-rejected':
      return true;
    default:
      return false;
  }
}

/** A step of a failover's story, labelled in the event log so the sequence reads at a glance. */
export interface FailoverStep { label: string; tone: 'bad' | 'good' | 'info' }

export function failoverStep(event: LoggedEvent): FailoverStep | null {
  switch (event.type) {
    case 'quorum-state':
      return quorumStep(event);
    case 'controller-state':
      // The store logs only the moments a controller becomes or stops being active.
      return event.active ? { label: 'active controller', tone: 'good' } : { label: 'no longer active', tone: 'bad' };
    case 'quorum-message':
      if (event.kind !== 'request') return null;
      switch (event.api) {
        case 'Vote': return { label: event.vote === 'vote' ? 'vote request' : 'pre-vote request', tone: 'info' };
        case 'BeginQuorumEpoch': return { label: 'BeginQuorumEpoch', tone: 'good' };
        case 'EndQuorumEpoch': return { label: 'EndQuorumEpoch', tone: 'bad' };
        case 'FetchSnapshot': return { label: 'FetchSnapshot', tone: 'info' };
        default: return null;
      }
    case 'log':
      return /^wrote a metadata snapshot/.test(event.message) ? { label: 'snapshot', tone: 'info' } : null;
    case 'node-killed':
      return { label: 'killed', tone: 'bad' };
    case 'client-killed':
      return { label: 'consumer killed', tone: 'bad' };
    case 'client-stopped':
      return { label: 'LeaveGroup', tone: 'info' };
    case 'group-state':
      switch (event.state) {
        case 'PreparingRebalance': return { label: 'rebalance', tone: 'info' };
        case 'CompletingRebalance': return { label: `sync, generation ${event.generationId}`, tone: 'info' };
        case 'Stable': return { label: `stable, generation ${event.generationId}`, tone: 'good' };
        case 'Empty': return null;
        case 'Dead': return { label: isDeletion(event) ? 'group deleted' : 'group unloaded', tone: 'bad' };
      }
      break;
    case 'consumer-rebalance':
      return event.phase === 'revoke' ? { label: 'revoke', tone: 'bad' } : event.phase === 'assign' ? { label: 'assign', tone: 'good' } : { label: 'JoinGroup', tone: 'info' };
    case 'network-changed':
      return event.cut ? { label: 'network partition', tone: 'bad' } : { label: 'network healed', tone: 'good' };
    case 'metadata-record':
      if (event.record.type === 'FenceBrokerRecord') return { label: 'broker fenced', tone: 'bad' };
      if (event.record.type === 'UnfenceBrokerRecord') return { label: 'broker unfenced', tone: 'good' };
      return null;
    case 'isr-change': {
      const kind = isrChange(event.from, event.to).kind;
      const name = kind === 'change' ? 'ISR change' : `ISR ${kind}`;
      if (event.phase === 'rejected') return { label: `${name} rejected`, tone: 'bad' };
      if (event.phase === 'proposed') return { label: `${name} proposed`, tone: 'info' };
      return { label: name, tone: kind === 'shrink' ? 'bad' : kind === 'expand' ? 'good' : 'info' };
    }
    case 'leader-election':
      switch (event.kind) {
        case 'clean': return { label: `leader elected, epoch ${event.leaderEpoch}`, tone: 'good' };
        case 'preferred': return { label: `preferred leader, epoch ${event.leaderEpoch}`, tone: 'good' };
        case 'unclean': return { label: `unclean election, epoch ${event.leaderEpoch}`, tone: 'bad' };
        case 'offline': return { label: 'partition offline', tone: 'bad' };
      }
      break;
    case 'log-truncated':
      return { label: `truncated ${event.from} → ${event.to}`, tone: 'bad' };
    case 'log-recovered':
      return event.truncated ? { label: `truncated at ${event.truncated.at}`, tone: 'bad' } : null;
    case 'request-rejected':
      return { label: event.error, tone: 'bad' };
    default:
      return null;
  }
  return null;
}

/** The steps of a controller election, tagged as the failover steps are. */
function quorumStep(event: Extract<ClusterEvent, { type: 'quorum-state' }>): FailoverStep | null {
  switch (event.state) {
    case 'Prospective': return { label: 'pre-vote', tone: 'info' };
    case 'Candidate': return { label: `candidate, epoch ${event.epoch}`, tone: 'info' };
    case 'Leader': return { label: `quorum leader, epoch ${event.epoch}`, tone: 'good' };
    case 'Follower': return { label: `follows ${event.leaderId ?? '?'}`, tone: 'info' };
    case 'Resigned': return { label: 'resigned', tone: 'bad' };
    case 'Unattached':
      return event.votedId !== null && event.reason.startsWith('voted for') ? { label: `vote granted → ${event.votedId}`, tone: 'info' } : null;
  }
}

/** "Produce 2, Fetch 5, BrokerHeartbeat 1": requests and responses in flight, by API. */
export function inFlightSummary(messages: Iterable<{ api: string }>): { api: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.api, (counts.get(m.api) ?? 0) + 1);
  return [...counts].map(([api, count]) => ({ api, count })).sort((a, b) => b.count - a.count || a.api.localeCompare(b.api));
}

/**
 * The Kafka error name a client error carries: KafkaJS puts it in `type`, on the error or nested
 * in its `cause`, `originalError` or `errors`; `ignore` skips a name too vague to report.
 */
export function errorTypeOf(error: unknown, ignore?: string): string | null {
  const seen = new Set<unknown>();
  const find = (e: unknown): string | null => {
    if (!e || typeof e !== 'object' || seen.has(e)) return null;
    seen.add(e);
    const o = e as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
    if (typeof o.type === 'string' && o.type !== ignore) return o.type;
    for (const inner of [o.cause, o.originalError, ...(Array.isArray(o.errors) ? o.errors : [])]) {
      const found = find(inner);
      if (found) return found;
    }
    return null;
  };
  return find(error);
}

/** The Kafka error name and message of a client error (KafkaJS puts the name in `type`). */
export function describeError(error: unknown): { type: string | null; message: string } {
  const type = errorTypeOf(error);
  let message = error instanceof Error ? error.message : String(error);
  // KafkaProtocolError's message starts with its type; don't say it twice.
  if (type) {
    while (message.startsWith(`${type}: `)) message = message.slice(type.length + 2);
    if (message === type) message = '';
  }
  return { type, message };
}
