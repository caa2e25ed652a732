/**
 * What an experiment learns from the ClusterEvents of its run, beyond what describe() keeps:
 * how far each replica appended, elections by kind, committed offsets, and what each consumer
 * application processed. Pure: fed event batches.
 */
import type { ClusterEvent } from '../cluster/events';
import { brokerIdOf } from '../tutorials/conditions';

export interface Election { time: number; topic: string; partition: number; kind: string; leader: number; previousLeader: number; leaderEpoch: number }

const tp = (topic: string, partition: number): string => `${topic}/${partition}`;

export class EventTracker {
  /** Per partition, per broker: the last offset it appended (as leader or follower) + 1. */
  readonly appended = new Map<string, Map<number, number>>();
  /** Per partition: the broker that appended as leader last, and the end of that append. */
  readonly leaderAppend = new Map<string, { broker: number; end: number; time: number }>();
  readonly elections: Election[] = [];
  /** Per group and partition: the committed offset (the next record to read). */
  readonly committed = new Map<string, number>();
  /** Per consumer application ('consumer-1'): records processed, and their ranges. */
  readonly processed = new Map<string, { partition: number; first: number; last: number }[]>();

  constructor(private readonly topic: string) {}

  apply(events: readonly ClusterEvent[]): void {
    for (const event of events) this.one(event);
  }

  private one(event: ClusterEvent): void {
    switch (event.type) {
      case 'log-append': {
        if (event.topic !== this.topic) return;
        const broker = brokerIdOf(event.node);
        if (broker === null) return;
        const key = tp(event.topic, event.partition);
        let byBroker = this.appended.get(key);
        if (!byBroker) this.appended.set(key, byBroker = new Map());
        byBroker.set(broker, Math.max(byBroker.get(broker) ?? 0, event.lastOffset + 1));
        if (!event.replicated) this.leaderAppend.set(key, { broker, end: event.lastOffset + 1, time: event.time });
        return;
      }
      case 'log-truncated': {
        if (event.topic !== this.topic) return;
        const broker = brokerIdOf(event.node);
        const byBroker = this.appended.get(tp(event.topic, event.partition));
        if (broker !== null && byBroker) byBroker.set(broker, Math.min(byBroker.get(broker) ?? 0, event.to));
        return;
      }
      case 'leader-election':
        if (event.topic !== this.topic) return;
        this.elections.push({ time: event.time, topic: event.topic, partition: event.partition, kind: event.kind, leader: event.leader, previousLeader: event.previousLeader, leaderEpoch: event.leaderEpoch });
        return;
      case 'offset-commit':
        if (event.topic === this.topic) this.committed.set(`${event.groupId}/${event.partition}`, event.offset);
        return;
      case 'consumer-processed': {
        if (event.topic !== this.topic) return;
        let runs = this.processed.get(event.node);
        if (!runs) this.processed.set(event.node, runs = []);
        runs.push({ partition: event.partition, first: event.firstOffset, last: event.lastOffset });
        return;
      }
      default:
        return;
    }
  }

  /**
   * Whether every follower of the partition (`followers`) has appended everything its leader
   * appended last: the record is on every replica, whether or not the leader knows it yet.
   */
  replicatedToFollowers(topic: string, partition: number, followers: readonly number[]): boolean {
    const key = tp(topic, partition);
    const last = this.leaderAppend.get(key);
    if (!last) return false;
    const byBroker = this.appended.get(key);
    return followers.every((id) => (byBroker?.get(id) ?? 0) >= last.end);
  }

  /** Highest offset a consumer application processed on a partition, + 1 (0: none). */
  processedEnd(client: string, partition: number): number {
    return Math.max(0, ...(this.processed.get(client) ?? []).filter((r) => r.partition === partition).map((r) => r.last + 1));
  }
}
