/**
 * Plain-text formatting for the UI: one human sentence per cluster event, metadata records
 * with their key fields, times and offsets. Pure, so it is unit-tested without a browser.
 */
import type { ClusterEvent } from '../cluster/events';
import type { MetadataRecord } from '../kafka/metadata/records';

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
      return `${record.type} ${recordFields(record, nameOf)}`;
  }
}

/** One human sentence for a cluster event; the node is part of the sentence. */
export function describeEvent(event: ClusterEvent, nameOf?: TopicNameOf): string {
  switch (event.type) {
    case 'node-spawned':
      return `${event.node} was started (a new Web Worker)`;
    case 'node-killed':
      return `${event.node} was killed`;
    case 'cluster-reset':
      return `cluster reset: all data deleted; brokers ${event.brokers.join(', ')}, controllers ${event.controllers.join(', ')}`;
    case 'speed-changed':
      return `clock speed set to ${event.speed}×`;
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
      return `${event.node} appended ${what} ${offsetRange(event.baseOffset, event.lastOffset)} to ${event.topic}-${event.partition} (leader epoch ${event.leaderEpoch}${compression})`;
    }
    case 'partition-offsets':
      return `${event.node} ${event.topic}-${event.partition} (${event.role}): log end offset ${event.logEndOffset}, high watermark ${event.highWatermark}`;
    case 'partition-deleted':
      return `${event.node} deleted its replica of ${event.topic}-${event.partition}`;
    case 'metadata-record':
      return `${event.node} wrote ${recordPhrase(event.record, nameOf)} at metadata offset ${event.offset}`;
    case 'metadata-applied':
      return `${event.node} applied metadata up to offset ${event.offset}`;
    case 'broker-state':
      return `${event.node} is now ${event.state}${event.brokerEpoch >= 0 ? ` (broker epoch ${event.brokerEpoch})` : ''}`;
    case 'controller-state':
      return event.active
        ? `${event.node} is the active controller (epoch ${event.epoch}); metadata log end offset ${event.logEndOffset}, committed ${event.committedOffset}`
        : `${event.node} is a standby controller (epoch ${event.epoch}); metadata log end offset ${event.logEndOffset}`;
    case 'offset-commit':
      return `group ${event.groupId} committed offset ${event.offset} for ${event.topic}-${event.partition} (on ${event.node})`;
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
    case 'isr-change':
      return `${event.node} ${event.phase} ISR change for ${event.topic}-${event.partition}: ${list(event.from)} → ${list(event.to)} (${event.reason})${event.error ? `: ${event.error}` : ''}`;
    case 'leader-election':
      return `${event.node} ${event.kind} leader election for ${event.topic}-${event.partition}: leader ${leaderLabel(event.previousLeader)} → ${leaderLabel(event.leader)} (leader epoch ${event.leaderEpoch}; ${event.reason})`;
    case 'log-truncated':
      return `${event.node} truncated ${event.topic}-${event.partition} from offset ${event.from} to ${event.to} (${event.reason})`;
    case 'request-rejected':
      return `${event.node} rejected ${event.api} to ${event.topic}-${event.partition} with ${event.error}: ${event.message}`;
    case 'preferred-read-replica':
      return `${event.node} told a consumer in ${event.clientRack} to fetch ${event.topic}-${event.partition} from broker ${event.replica} (KIP-392)`;
    case 'producer-id':
      return `${event.node} got producer id ${event.producerId}, epoch ${event.producerEpoch}`;
  }
}

/** The node an event is about, for the log's node column. */
export function eventNode(event: ClusterEvent): string {
  switch (event.type) {
    case 'cluster-reset':
    case 'speed-changed':
      return 'host';
    case 'message-sent':
    case 'message-delivered':
      return event.from;
    default:
      return event.node;
  }
}

/** Events worth a warning colour in the log. */
export function isTrouble(event: ClusterEvent): boolean {
  switch (event.type) {
    case 'node-killed':
    case 'client-error':
      return true;
    case 'log':
      return event.level !== 'info';
    case 'broker-state':
      return false;
    case 'metadata-record':
      return event.record.type === 'FenceBrokerRecord' || (event.record.type === 'PartitionChangeRecord' && event.record.leader === -1);
    case 'log-recovered':
      return event.truncated !== undefined;
    default:
      return false;
  }
}

/** "Produce 2, Fetch 5, BrokerHeartbeat 1": requests and responses in flight, by API. */
export function inFlightSummary(messages: Iterable<{ api: string }>): { api: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.api, (counts.get(m.api) ?? 0) + 1);
  return [...counts].map(([api, count]) => ({ api, count })).sort((a, b) => b.count - a.count || a.api.localeCompare(b.api));
}

/** The Kafka error name and message of a client error (KafkaJS puts the name in `type`). */
export function describeError(error: unknown): { type: string | null; message: string } {
  const seen = new Set<unknown>();
  const find = (e: unknown): string | null => {
    if (!e || typeof e !== 'object' || seen.has(e)) return null;
    seen.add(e);
    const o = e as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
    if (typeof o.type === 'string') return o.type;
    const nested = [o.cause, o.originalError, ...(Array.isArray(o.errors) ? o.errors : [])];
    for (const inner of nested) {
      const found = find(inner);
      if (found) return found;
    }
    return null;
  };
  const type = find(error);
  let message = error instanceof Error ? error.message : String(error);
  // KafkaProtocolError's message starts with its type; don't say it twice.
  if (type) {
    while (message.startsWith(`${type}: `)) message = message.slice(type.length + 2);
    if (message === type) message = '';
  }
  return { type, message };
}
