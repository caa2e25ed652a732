import type { Clock } from '../ports';
import type { Rpc } from '../common/rpc';
import { brokerAddress } from '../config';
import { asKafkaError, errorName } from '../protocol/errors';
import type { FetchRequest, OffsetForLeaderEpochRequest } from '../protocol/messages';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from '../storage/leaderEpochCache';
import type { Partition } from './partition';

/** Kafka's replica.fetch.backoff.ms: the pause after a failed fetch before trying again. */
const REPLICA_FETCH_BACKOFF_MS = 1000;
const REPLICA_FETCH_MAX_BYTES = 1024 * 1024;
/** Beyond the long poll, how long a fetch may take before it counts as failed. */
const REQUEST_TIMEOUT_MS = 5000;

export interface FetcherHost {
  readonly brokerId: number;
  readonly rpc: Rpc;
  readonly clock: Clock;
  readonly fetchWaitMaxMs: number;
  isStopped(): boolean;
  sleep(ms: number): Promise<void>;
}

/**
 * Kafka's ReplicaFetcherManager: one fetcher per leader broker, each pulling every partition
 * this broker follows on that leader with one Fetch request at a time.
 */
export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();

  constructor(private readonly host: FetcherHost) {}

  /** Puts a follower replica under the fetcher for its current leader (none while offline). */
  follow(partition: Partition): void {
    this.unfollow(partition, partition.leader);
    if (partition.role !== 'follower' || partition.leader < 0) return;
    const leader = partition.leader;
    let fetcher = this.fetchers.get(leader);
    if (!fetcher) {
      const created: ReplicaFetcher = new ReplicaFetcher(leader, this.host, () => {
        if (this.fetchers.get(leader) === created) this.fetchers.delete(leader);
      });
      fetcher = created;
      this.fetchers.set(leader, fetcher);
    }
    fetcher.add(partition);
  }

  /** Removes the replica from every fetcher (except the one for `keepLeader`). */
  unfollow(partition: Partition, keepLeader = -1): void {
    for (const [leader, fetcher] of this.fetchers) if (leader !== keepLeader) fetcher.remove(partition);
  }
}

class ReplicaFetcher {
  private readonly partitions = new Set<Partition>();
  /** Partitions the leader refused (stale epoch, not leader): skipped until this time or a new leader epoch. */
  private readonly delayed = new Map<Partition, { until: number; leaderEpoch: number }>();
  private running = false;

  constructor(readonly leaderId: number, private readonly host: FetcherHost, private readonly onIdle: () => void) {}

  add(partition: Partition): void {
    this.partitions.add(partition);
    if (!this.running) {
      this.running = true;
      void this.run();
    }
  }

  remove(partition: Partition): void {
    this.partitions.delete(partition);
    this.delayed.delete(partition);
  }

  private ready(): Partition[] {
    const now = this.host.clock.now();
    // A new leader epoch is the reason to try a refused partition again at once.
    return [...this.partitions].filter((p) => {
      const delay = this.delayed.get(p);
      return !delay || delay.until <= now || delay.leaderEpoch !== p.leaderEpoch;
    });
  }

  private async run(): Promise<void> {
    while (!this.host.isStopped() && this.partitions.size > 0) {
      const ready = this.ready();
      try {
        if (ready.length === 0) {
          await this.host.sleep(REPLICA_FETCH_BACKOFF_MS / 4);
          continue;
        }
        const toTruncate = ready.filter((p) => p.needsTruncation);
        if (toTruncate.length > 0) await this.truncate(toTruncate);
        else await this.fetch(ready);
      } catch {
        // The leader is unreachable or slow: the controller will move leadership if it is gone.
        await this.host.sleep(REPLICA_FETCH_BACKOFF_MS);
      }
    }
    this.running = false;
    if (this.partitions.size === 0) this.onIdle();
  }

  private delay(partition: Partition): void {
    this.delayed.set(partition, { until: this.host.clock.now() + REPLICA_FETCH_BACKOFF_MS, leaderEpoch: partition.leaderEpoch });
  }

  /**
   * KIP-101/279: asks the leader where this replica's latest epoch ends in the leader's log and
   * truncates there; if the leader never had that epoch, truncates to where the largest earlier
   * one ends and asks again, until both logs agree on the last epoch they share.
   */
  private async truncate(partitions: Partition[]): Promise<void> {
    const sent = new Map(partitions.map((p) => [p, { leaderEpoch: p.leaderEpoch, epoch: p.epochs.latestEpoch }]));
    const asking = partitions.filter((p) => {
      if (p.epochs.latestEpoch !== UNDEFINED_EPOCH) return true;
      // No epoch: an empty log, nothing to reconcile.
      if (p.log.logEndOffset === p.log.logStartOffset) p.needsTruncation = false;
      return p.needsTruncation;
    });
    if (asking.length === 0) return;
    const request: OffsetForLeaderEpochRequest = { replicaId: this.host.brokerId, topics: groupByTopic(asking, (p) => ({ partition: p.partition, currentLeaderEpoch: p.leaderEpoch, leaderEpoch: p.epochs.latestEpoch })) };
    const response = await this.host.rpc.request(brokerAddress(this.leaderId), 'OffsetForLeaderEpoch', request, { timeoutMs: REQUEST_TIMEOUT_MS });
    for (const topic of response.topics) {
      for (const result of topic.partitions) {
        const p = asking.find((q) => q.topic === topic.topic && q.partition === result.partition);
        const asked = p && sent.get(p);
        if (!p || !asked || !this.partitions.has(p) || p.leaderEpoch !== asked.leaderEpoch) continue;
        if (result.errorCode !== 0) {
          this.delay(p);
          continue;
        }
        const localEnd = p.log.logEndOffset;
        let offset: number;
        let completed = true;
        if (result.endOffset === UNDEFINED_EPOCH_OFFSET) {
          offset = p.highWatermark; // the leader knows nothing of our epochs: keep only what was committed
        } else if (result.leaderEpoch === UNDEFINED_EPOCH) {
          offset = Math.min(result.endOffset, localEnd);
        } else {
          const local = p.epochs.endOffsetFor(result.leaderEpoch, localEnd);
          if (local.leaderEpoch === result.leaderEpoch) {
            offset = Math.min(result.endOffset, local.endOffset);
          } else if (local.leaderEpoch === UNDEFINED_EPOCH) {
            offset = Math.min(result.endOffset, localEnd);
          } else {
            // We never had the leader's epoch: cut back to the end of our largest earlier one, then ask again.
            offset = Math.min(local.endOffset, localEnd);
            completed = false;
          }
        }
        try {
          await p.truncateTo(offset, asked.leaderEpoch, `leader epoch ${result.leaderEpoch} ends at offset ${result.endOffset} on the leader, broker ${this.leaderId} (OffsetForLeaderEpoch, KIP-101)`);
          // Not completed: the truncation dropped our latest epoch, so the next question is about an earlier one.
          // A newer leader epoch that arrived meanwhile needs its own truncation: leave its flag alone.
          if (p.leaderEpoch === asked.leaderEpoch) p.needsTruncation = !completed;
        } catch {
          // The replica moved on to another leader epoch meanwhile: its new fetcher starts over.
        }
      }
    }
  }

  private async fetch(partitions: Partition[]): Promise<void> {
    const sent = new Map(partitions.map((p) => [p, p.leaderEpoch]));
    const request: FetchRequest = {
      replicaId: this.host.brokerId, maxWaitMs: this.host.fetchWaitMaxMs, minBytes: 1, maxBytes: REPLICA_FETCH_MAX_BYTES, isolationLevel: 0,
      topics: groupByTopic(partitions, (p) => ({
        partition: p.partition, currentLeaderEpoch: p.leaderEpoch, fetchOffset: p.log.logEndOffset, lastFetchedEpoch: p.epochs.latestEpoch,
        logStartOffset: p.log.logStartOffset, partitionMaxBytes: REPLICA_FETCH_MAX_BYTES,
      })),
    };
    const response = await this.host.rpc.request(brokerAddress(this.leaderId), 'Fetch', request, { timeoutMs: this.host.fetchWaitMaxMs + REQUEST_TIMEOUT_MS });
    for (const topic of response.responses) {
      for (const data of topic.partitions) {
        const p = partitions.find((q) => q.topic === topic.topic && q.partition === data.partitionIndex);
        const epoch = p && sent.get(p);
        // A response for an epoch this replica has left behind says nothing about the new one.
        if (!p || epoch === undefined || !this.partitions.has(p) || p.leaderEpoch !== epoch) continue;
        try {
          if (data.errorCode !== 0) {
            const error = errorName(data.errorCode);
            // Out of range below the leader's log start: retention deleted what comes next, start over there.
            if (error === 'OFFSET_OUT_OF_RANGE' && data.logStartOffset > p.log.logEndOffset) await p.startAtLeaderLogStart(data.logStartOffset, epoch);
            // Else the logs diverged (the leader checks lastFetchedEpoch): reconcile again.
            else if (error === 'OFFSET_OUT_OF_RANGE') p.needsTruncation = true;
            else this.delay(p);
            continue;
          }
          if (data.records && data.records.byteLength > 0) await p.appendAsFollower(data.records, epoch, data.highWatermark);
          else p.updateFollowerHighWatermark(data.highWatermark, epoch);
          if (data.logStartOffset > p.log.logStartOffset) await p.followLeaderLogStart(data.logStartOffset, epoch);
        } catch (error) {
          const { type } = asKafkaError(error);
          if (type === 'OFFSET_OUT_OF_RANGE') p.needsTruncation = true;
          else if (type !== 'FENCED_LEADER_EPOCH') throw error;
        }
      }
    }
  }
}

function groupByTopic<T>(partitions: Partition[], entry: (p: Partition) => T): { topic: string; partitions: T[] }[] {
  const byTopic = new Map<string, T[]>();
  for (const p of partitions) {
    const list = byTopic.get(p.topic) ?? [];
    list.push(entry(p));
    byTopic.set(p.topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}
