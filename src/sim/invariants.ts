/**
 * Invariant checkers for seeded cluster simulations: what Kafka promises about replicated
 * partitions, checked against what each broker really stored (its MemoryLogStore, decoded as
 * Kafka v2 record batches) and against what the nodes reported while running.
 *
 * Offline checkers (after healing) are pure functions over a snapshot of the logs; each returns a
 * list of violations, empty when the invariant holds, each naming the partition, offset and
 * replicas involved. The online checker watches NodeEvents while the run goes on.
 */
import type { NodeEvent } from '../kafka/events';
import type { LogStore } from '../kafka/ports';
import { topicPartitionName } from '../kafka/common/serial';
import { decodeRecords, scanBatches } from '../kafka/storage/recordBatch';
import type { SimCluster } from './simCluster';

export interface ReplicaRecord { offset: number; key: string | null; value: string | null }

export interface ReplicaBatch {
  baseOffset: number;
  lastOffset: number;
  partitionLeaderEpoch: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  crc: number;
  records: ReplicaRecord[];
}

/** One replica's log of one partition, as stored on its broker. */
export interface ReplicaLog {
  broker: number;
  batches: ReplicaBatch[];
  logStartOffset: number;
  logEndOffset: number;
  /** Why the stored log could not be read whole (a corrupt or non-contiguous batch), if so. */
  problem?: string;
}

export interface PartitionSnapshot {
  topic: string;
  partition: number;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  /** The leader's high watermark as last reported (partition-offsets), or null if unknown. */
  highWatermark: number | null;
  /** Every assigned replica's stored log (an empty log if the broker has none). */
  logs: Map<number, ReplicaLog>;
}

/** A record whose produce request was acknowledged, at the offset the leader answered (or one a consumer read). */
export interface AckedRecord { topic: string; partition: number; offset: number; key: string | null; value: string }

const utf8 = new TextDecoder();
const text = (bytes: Uint8Array | null): string | null => (bytes === null ? null : utf8.decode(bytes));
const tp = (topic: string, partition: number): string => topicPartitionName(topic, partition);

/** Reads and decodes one replica's stored log of a partition. */
export async function readReplicaLog(store: LogStore, broker: number, topic: string, partition: number): Promise<ReplicaLog> {
  const stored = await store.readPartition(tp(topic, partition));
  const log: ReplicaLog = { broker, batches: [], logStartOffset: stored[0]?.baseOffset ?? 0, logEndOffset: stored[0]?.baseOffset ?? 0 };
  for (const batch of stored) {
    const scan = scanBatches(batch.bytes);
    if (scan.error || scan.batches.length !== 1) {
      log.problem = `stored batch at offset ${batch.baseOffset}: ${scan.error ?? `${scan.batches.length} batches in one stored value`}`;
      break;
    }
    const { header } = scan.batches[0];
    if (header.baseOffset !== log.logEndOffset) {
      log.problem = `stored batch at offset ${header.baseOffset} does not follow the log end ${log.logEndOffset}`;
      break;
    }
    const records = (await decodeRecords(batch.bytes)).map((r) => ({ offset: r.offset, key: text(r.key), value: text(r.value) }));
    log.batches.push({
      baseOffset: header.baseOffset, lastOffset: header.lastOffset, partitionLeaderEpoch: header.partitionLeaderEpoch,
      producerId: header.producerId, producerEpoch: header.producerEpoch, baseSequence: header.baseSequence, crc: header.crc, records,
    });
    log.logEndOffset = header.lastOffset + 1;
  }
  return log;
}

/**
 * Snapshots every partition of a topic: the controller's registration (replicas, ISR, leader,
 * epoch), the leader's last reported high watermark, and each replica's stored log.
 */
export async function snapshotTopic(cluster: SimCluster, topic: string, watcher?: OnlineInvariants): Promise<PartitionSnapshot[]> {
  const image = cluster.controller().image.topics.get(topic);
  if (!image) throw new Error(`topic ${topic} is not in the controller's metadata image`);
  const snapshots: PartitionSnapshot[] = [];
  for (const registration of image.partitions) {
    const logs = new Map<number, ReplicaLog>();
    for (const broker of registration.replicas) {
      const node = cluster.brokers.get(broker);
      if (!node) throw new Error(`replica ${broker} of ${tp(topic, registration.partition)} is not a broker of the cluster`);
      logs.set(broker, await readReplicaLog(node.logStore, broker, topic, registration.partition));
    }
    snapshots.push({
      topic, partition: registration.partition, replicas: registration.replicas, isr: registration.isr,
      leader: registration.leader, leaderEpoch: registration.leaderEpoch,
      highWatermark: watcher?.leaderHighWatermark(topic, registration.partition, registration.leader, registration.leaderEpoch) ?? null,
      logs,
    });
  }
  return snapshots;
}

function recordAt(log: ReplicaLog, offset: number): ReplicaRecord | undefined {
  for (const batch of log.batches) {
    if (offset >= batch.baseOffset && offset <= batch.lastOffset) return batch.records.find((r) => r.offset === offset);
  }
  return undefined;
}

const describeRecord = (r: ReplicaRecord | undefined): string => (r ? `key=${r.key} value=${r.value}` : 'nothing');

/** (a) Every acknowledged record is in every ISR replica's log, at the offset it was acknowledged with. */
export function checkAcknowledgedRecords(snapshots: PartitionSnapshot[], acked: AckedRecord[]): string[] {
  return checkRecordsOnIsr(snapshots, acked, 'acknowledged record lost');
}

/**
 * (f) Every record a consumer was handed is, after healing, in every ISR replica's log at that
 * offset: a consumer reads only committed records (below the HW), which no failover removes.
 */
export function checkConsumedRecords(snapshots: PartitionSnapshot[], consumed: AckedRecord[]): string[] {
  return checkRecordsOnIsr(snapshots, consumed, 'consumed record not committed');
}

function checkRecordsOnIsr(snapshots: PartitionSnapshot[], records: AckedRecord[], problem: string): string[] {
  const violations: string[] = [];
  const byPartition = new Map(snapshots.map((s) => [tp(s.topic, s.partition), s]));
  for (const record of records) {
    const name = tp(record.topic, record.partition);
    const snapshot = byPartition.get(name);
    if (!snapshot) {
      violations.push(`${problem}: ${name}@${record.offset} (${record.value}): the partition is not in the snapshot`);
      continue;
    }
    if (snapshot.isr.length === 0) violations.push(`${problem}: ${name}@${record.offset} (${record.value}): the ISR is empty`);
    for (const broker of snapshot.isr) {
      const log = snapshot.logs.get(broker);
      const found = log ? recordAt(log, record.offset) : undefined;
      if (!found || found.value !== record.value || found.key !== record.key) {
        violations.push(
          `${problem}: ${name} offset ${record.offset} key=${record.key} value=${record.value} is not on ISR replica ${broker}`
          + ` (it holds ${describeRecord(found)} there, log end ${log?.logEndOffset ?? 'none'}; ISR ${JSON.stringify(snapshot.isr)}, leader ${snapshot.leader} epoch ${snapshot.leaderEpoch})`,
        );
      }
    }
  }
  return violations;
}

/** (b) No record value appears twice in a partition's log, on any replica. */
export function checkNoDuplicates(snapshots: PartitionSnapshot[]): string[] {
  const violations: string[] = [];
  for (const snapshot of snapshots) {
    for (const [broker, log] of snapshot.logs) {
      const seen = new Map<string, number>();
      for (const batch of log.batches) {
        for (const record of batch.records) {
          if (record.value === null) continue;
          const first = seen.get(record.value);
          if (first !== undefined) {
            violations.push(`duplicate record in ${tp(snapshot.topic, snapshot.partition)} on replica ${broker}: value ${record.value} at offsets ${first} and ${record.offset}`);
          } else {
            seen.set(record.value, record.offset);
          }
        }
      }
    }
  }
  return violations;
}

/**
 * (c) Per-key order: on every replica, the values a producer sent for a key appear in the order
 * they were sent. `sent` maps each key to its values in send order (sent, not only acknowledged:
 * a send that failed may still have been written, but never ahead of an earlier one).
 */
export function checkPerKeyOrder(snapshots: PartitionSnapshot[], sent: ReadonlyMap<string, readonly string[]>): string[] {
  const violations: string[] = [];
  const position = new Map<string, { key: string; index: number }>();
  for (const [key, values] of sent) values.forEach((value, index) => position.set(value, { key, index }));
  for (const snapshot of snapshots) {
    for (const [broker, log] of snapshot.logs) {
      const last = new Map<string, { index: number; offset: number; value: string }>();
      for (const batch of log.batches) {
        for (const record of batch.records) {
          const sentAs = record.value === null ? undefined : position.get(record.value);
          if (!sentAs) continue;
          if (record.key !== sentAs.key) {
            violations.push(`record ${record.value} was sent with key ${sentAs.key} but is stored with key ${record.key} in ${tp(snapshot.topic, snapshot.partition)}@${record.offset} on replica ${broker}`);
            continue;
          }
          const previous = last.get(sentAs.key);
          if (previous && previous.index > sentAs.index) {
            violations.push(
              `per-key order broken for key ${sentAs.key} in ${tp(snapshot.topic, snapshot.partition)} on replica ${broker}:`
              + ` ${record.value} (sent #${sentAs.index}) at offset ${record.offset} follows ${previous.value} (sent #${previous.index}) at offset ${previous.offset}`,
            );
          }
          if (!previous || previous.index < sentAs.index) last.set(sentAs.key, { index: sentAs.index, offset: record.offset, value: record.value! });
        }
      }
    }
  }
  return violations;
}

/**
 * (d) The ISR replicas agree batch for batch below the high watermark: same offsets, same leader
 * epoch, same producer fields and CRC, same records. Uses the leader's reported high watermark,
 * or, when none is known, the smallest log end offset in the ISR (what the HW would be).
 */
export function checkReplicasAgree(snapshots: PartitionSnapshot[]): string[] {
  const violations: string[] = [];
  for (const snapshot of snapshots) {
    const name = tp(snapshot.topic, snapshot.partition);
    const members = snapshot.isr.filter((b) => snapshot.logs.has(b));
    for (const broker of members) {
      const problem = snapshot.logs.get(broker)!.problem;
      if (problem) violations.push(`replica ${broker} of ${name} has an unreadable log: ${problem}`);
    }
    if (members.length === 0) continue;
    const hw = snapshot.highWatermark ?? Math.min(...members.map((b) => snapshot.logs.get(b)!.logEndOffset));
    const reference = snapshot.logs.get(snapshot.isr.includes(snapshot.leader) ? snapshot.leader : members[0])!;
    for (const broker of members) {
      const log = snapshot.logs.get(broker)!;
      if (log === reference) continue;
      if (log.logEndOffset < hw) {
        violations.push(`ISR replica ${broker} of ${name} ends at ${log.logEndOffset}, below the high watermark ${hw} (leader ${snapshot.leader})`);
      }
      const below = (l: ReplicaLog) => l.batches.filter((b) => b.baseOffset < hw);
      const mine = below(log);
      const theirs = below(reference);
      for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
        const a = theirs[i];
        const b = mine[i];
        const difference = batchDifference(a, b);
        if (difference) {
          violations.push(
            `replicas ${reference.broker} and ${broker} of ${name} diverge below the high watermark ${hw} at offset ${a?.baseOffset ?? b?.baseOffset}: ${difference}`,
          );
          break;
        }
      }
    }
  }
  return violations;
}

function batchDifference(a: ReplicaBatch | undefined, b: ReplicaBatch | undefined): string | null {
  const show = (x: ReplicaBatch | undefined) => (x ? `[${x.baseOffset}..${x.lastOffset}] epoch ${x.partitionLeaderEpoch} producer ${x.producerId}/${x.producerEpoch} seq ${x.baseSequence} crc ${x.crc.toString(16)}` : 'no batch');
  if (!a || !b) return `${show(a)} vs ${show(b)}`;
  const fields: (keyof ReplicaBatch)[] = ['baseOffset', 'lastOffset', 'partitionLeaderEpoch', 'producerId', 'producerEpoch', 'baseSequence', 'crc'];
  for (const field of fields) if (a[field] !== b[field]) return `${field} differs: ${show(a)} vs ${show(b)}`;
  for (let i = 0; i < Math.max(a.records.length, b.records.length); i++) {
    const x = a.records[i];
    const y = b.records[i];
    if (x?.offset !== y?.offset || x?.key !== y?.key || x?.value !== y?.value) return `record ${i} differs: ${describeRecord(x)} vs ${describeRecord(y)}`;
  }
  return null;
}

/** Every offline check at once; empty when all hold. */
export function checkReplicatedLogs(snapshots: PartitionSnapshot[], acked: AckedRecord[], sent: ReadonlyMap<string, readonly string[]>): string[] {
  return [
    ...checkAcknowledgedRecords(snapshots, acked),
    ...checkNoDuplicates(snapshots),
    ...checkPerKeyOrder(snapshots, sent),
    ...checkReplicasAgree(snapshots),
  ];
}

interface ReplicaOffsets { role: 'leader' | 'follower' | 'none'; leaderEpoch: number; logEndOffset: number; highWatermark: number }

/**
 * Online invariants, checked on every event as the run goes:
 * (e) one leader per (partition, leader epoch): a broker reporting itself leader of an epoch
 *     (partition-offsets, role leader) and the controller's elections (leader-election) agree;
 * (f) a leader's high watermark never goes backwards within one leader epoch, never passes its
 *     log end, and no consumer reads at or past the highest high watermark any leader reported.
 */
export class OnlineInvariants {
  readonly violations: string[] = [];
  private readonly leaderOfEpoch = new Map<string, { broker: number; source: string }>();
  private readonly hwOfEpoch = new Map<string, number>();
  private readonly maxHighWatermark = new Map<string, number>();
  private readonly latest = new Map<string, ReplicaOffsets>();

  /** Subscribes to a cluster's events; returns the unsubscribe function. */
  attach(cluster: SimCluster): () => void {
    return cluster.onEvent((event) => this.observe(event));
  }

  observe(event: NodeEvent): void {
    if (event.type === 'leader-election') {
      // leader -1 (offline) also claims the epoch: no broker may lead it.
      this.claim(event.topic, event.partition, event.leaderEpoch, event.leader, `${event.node} (${event.kind} election)`);
    } else if (event.type === 'partition-offsets') {
      const broker = brokerId(event.node);
      const name = tp(event.topic, event.partition);
      this.latest.set(`${name}/${broker}`, { role: event.role, leaderEpoch: event.leaderEpoch, logEndOffset: event.logEndOffset, highWatermark: event.highWatermark });
      if (event.role !== 'leader') return;
      this.claim(event.topic, event.partition, event.leaderEpoch, broker, `${event.node} (partition-offsets)`);
      const epochKey = `${name}@${event.leaderEpoch}`;
      const previous = this.hwOfEpoch.get(epochKey);
      if (previous !== undefined && event.highWatermark < previous) {
        this.violations.push(`high watermark of ${name} went back from ${previous} to ${event.highWatermark} in leader epoch ${event.leaderEpoch} on ${event.node}`);
      }
      if (event.highWatermark > event.logEndOffset) {
        this.violations.push(`high watermark ${event.highWatermark} of ${name} is past the log end ${event.logEndOffset} on leader ${event.node} (epoch ${event.leaderEpoch})`);
      }
      this.hwOfEpoch.set(epochKey, Math.max(previous ?? 0, event.highWatermark));
      this.maxHighWatermark.set(name, Math.max(this.maxHighWatermark.get(name) ?? 0, event.highWatermark));
    }
  }

  private claim(topic: string, partition: number, epoch: number, broker: number, source: string): void {
    const key = `${tp(topic, partition)}@${epoch}`;
    const known = this.leaderOfEpoch.get(key);
    if (!known) this.leaderOfEpoch.set(key, { broker, source });
    else if (known.broker !== broker) {
      this.violations.push(`two leaders for ${tp(topic, partition)} in leader epoch ${epoch}: broker ${known.broker} per ${known.source} and broker ${broker} per ${source}`);
    }
  }

  /** A consumer was handed the record at `offset`: it must be below a high watermark some leader reached. */
  consumed(topic: string, partition: number, offset: number, consumer = 'consumer'): void {
    const name = tp(topic, partition);
    const hw = this.maxHighWatermark.get(name) ?? 0;
    if (offset >= hw) this.violations.push(`${consumer} read ${name} offset ${offset}, at or past the high watermark ${hw} (the highest any leader reported)`);
  }

  /** The last offsets `broker` reported for a partition, if any. */
  replicaOffsets(topic: string, partition: number, broker: number): ReplicaOffsets | undefined {
    return this.latest.get(`${tp(topic, partition)}/${broker}`);
  }

  /** The high watermark `leader` last reported for a partition in `leaderEpoch`, or null. */
  leaderHighWatermark(topic: string, partition: number, leader: number, leaderEpoch: number): number | null {
    const offsets = this.replicaOffsets(topic, partition, leader);
    return offsets && offsets.role === 'leader' && offsets.leaderEpoch === leaderEpoch ? offsets.highWatermark : null;
  }
}

const brokerId = (node: string): number => Number(node.slice(node.lastIndexOf('-') + 1));

type QuorumStateEvent = Extract<NodeEvent, { type: 'quorum-state' }>;

/**
 * KRaft quorum invariants, checked on every event (KIP-595): at most one leader per epoch, and
 * a committed metadata offset never changes record. Returns the violations found so far and
 * every quorum transition seen.
 */
export function watchQuorum(cluster: SimCluster): { violations: string[]; quorum: QuorumStateEvent[] } {
  const violations: string[] = [];
  const quorum: QuorumStateEvent[] = [];
  const leaders = new Map<number, string>();
  const committed = new Map<number, string>();
  cluster.onEvent((event) => {
    if (event.type === 'quorum-state') {
      quorum.push(event);
      if (event.state === 'Leader') {
        const known = leaders.get(event.epoch);
        if (known && known !== event.node) violations.push(`two leaders in epoch ${event.epoch}: ${known} and ${event.node}`);
        leaders.set(event.epoch, event.node);
      }
    }
    if (event.type === 'metadata-record') {
      const record = JSON.stringify(event.record);
      const known = committed.get(event.offset);
      if (known !== undefined && known !== record) violations.push(`committed metadata offset ${event.offset} changed from ${known} to ${record}`);
      committed.set(event.offset, record);
    }
  });
  return { violations, quorum };
}

