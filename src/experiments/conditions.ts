/**
 * What an experiment waits for before its next step, as data: conditions on the cluster as
 * describe() reports it, on the experiment's books and on the events it has seen. `holds` is
 * pure, so each condition is tested on hand-made descriptions.
 */
import type { ClusterDescription, PartitionDescription } from '../store/selectors';
import type { Refs } from '../scenario/targets';
import type { Ledger } from './ledger';
import type { EventTracker } from './tracker';
import { partitionOf as clusterPartitionOf } from '../tutorials/conditions';

export type Condition =
  /** The partition has a leader (other than `not`, a remembered broker). */
  | { kind: 'leader-elected'; partition?: number; not?: string }
  /** The partition has no leader: offline. */
  | { kind: 'offline'; partition?: number }
  | { kind: 'isr-size'; size: number; partition?: number }
  /**
   * Every replica is in the ISR and the leader's high watermark covers every acknowledged
   * record: each replica has them. (An ISR of full size alone says nothing about what the
   * followers have fetched yet.)
   */
  | { kind: 'acknowledged-replicated'; partition?: number }
  | { kind: 'isr-excludes' | 'isr-includes'; ref: string; partition?: number }
  /** The producer had at least `count` records acknowledged since the mark (or in all). */
  | { kind: 'acknowledged'; count: number; since?: string }
  /** A send failed with this Kafka error (at least once since the mark). */
  | { kind: 'send-failed'; error: string; since?: string }
  /** An active controller other than `not`. */
  | { kind: 'new-active-controller'; not: string }
  /** The remembered controller is not the quorum's leader (it resigned, or lost an election). */
  | { kind: 'controller-not-leader'; ref: string }
  /** The remembered controller is live and follows the active one. */
  | { kind: 'controller-follows'; ref: string }
  /**
   * A record the producer has no acknowledgement for yet is on every follower: the leader
   * appended past the last acknowledged offset, and every follower appended that far.
   */
  | { kind: 'unacknowledged-on-followers'; partition?: number }
  /**
   * The consumer application `ref` processed at least `count` records past its group's committed
   * offset, after the group committed at least once.
   */
  | { kind: 'processed-past-commit'; ref: string; group: string; count: number; partition?: number }
  /** Every acknowledged record was delivered to a consumer. */
  | { kind: 'all-delivered' }
  /** The remembered broker is live, registered and unfenced. */
  | { kind: 'broker-running'; ref: string };

export interface ConditionState {
  topic: string;
  description: ClusterDescription;
  refs: Refs;
  ledger: Ledger;
  tracker: EventTracker;
  /** The books at each mark: acknowledged count and failures by error. */
  marks: Map<string, { acknowledged: number; errors: Record<string, number> }>;
}

function partitionOf(state: ConditionState, partition = 0): PartitionDescription | undefined {
  return clusterPartitionOf(state.description, state.topic, partition);
}

function ref(state: ConditionState, name: string): number | string | undefined {
  return state.refs.get(name);
}

export function holds(condition: Condition, state: ConditionState): boolean {
  const p = () => partitionOf(state, 'partition' in condition ? condition.partition : 0);
  switch (condition.kind) {
    case 'leader-elected': {
      const part = p();
      return part !== undefined && part.leader >= 0 && (condition.not === undefined || part.leader !== ref(state, condition.not));
    }
    case 'offline': return p()?.leader === -1;
    case 'isr-size': return p()?.isr.length === condition.size;
    case 'acknowledged-replicated': {
      const part = p();
      return part !== undefined && part.leader >= 0 && part.isr.length === part.replicas.length
        && part.highWatermark >= state.ledger.ackedEnd(part.partition);
    }
    case 'isr-excludes': {
      const part = p();
      return part !== undefined && !part.isr.includes(ref(state, condition.ref) as number);
    }
    case 'isr-includes': return p()?.isr.includes(ref(state, condition.ref) as number) === true;
    case 'acknowledged': {
      const base = condition.since ? state.marks.get(condition.since)?.acknowledged ?? 0 : 0;
      return state.ledger.acknowledged - base >= condition.count;
    }
    case 'send-failed': {
      const base = condition.since ? state.marks.get(condition.since)?.errors[condition.error] ?? 0 : 0;
      return (state.ledger.errors[condition.error] ?? 0) > base;
    }
    case 'new-active-controller': {
      const active = state.description.activeController;
      return active !== null && active !== ref(state, condition.not);
    }
    case 'controller-not-leader': {
      const c = state.description.controllers.find((x) => x.id === ref(state, condition.ref));
      return c !== undefined && (!c.alive || c.state !== 'Leader');
    }
    case 'controller-follows': {
      const c = state.description.controllers.find((x) => x.id === ref(state, condition.ref));
      const active = state.description.activeController;
      return c !== undefined && c.alive && c.state === 'Follower' && active !== null && c.leaderId === active;
    }
    case 'unacknowledged-on-followers': {
      const part = p();
      if (!part || part.leader < 0) return false;
      const appended = state.tracker.leaderAppend.get(`${state.topic}/${part.partition}`);
      if (!appended || appended.end <= state.ledger.ackedEnd(part.partition)) return false;
      return state.tracker.replicatedToFollowers(state.topic, part.partition, part.replicas.filter((id) => id !== part.leader));
    }
    case 'processed-past-commit': {
      const partition = condition.partition ?? 0;
      const client = ref(state, condition.ref);
      if (typeof client !== 'string') return false;
      const committed = state.tracker.committed.get(`${condition.group}/${partition}`);
      return committed !== undefined && committed > 0 && state.tracker.processedEnd(client, partition) - committed >= condition.count;
    }
    case 'all-delivered': {
      const counters = state.ledger.counters({ lostKnown: true });
      return counters.acknowledged > 0 && counters.lost === 0;
    }
    case 'broker-running': {
      const b = state.description.brokers.find((x) => x.id === ref(state, condition.ref));
      return b !== undefined && b.alive && b.state === 'RUNNING' && !b.fenced;
    }
  }
}
