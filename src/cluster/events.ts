import type { NodeEvent, NodeRole } from '../kafka/events';
import type { NetworkCut } from './networkCut';

/** What the host itself reports, beside what nodes report. */
export type HostEvent =
  | { type: 'node-spawned'; time: number; node: string; role: NodeRole }
  | { type: 'node-killed'; time: number; node: string; role: NodeRole }
  | { type: 'cluster-reset'; time: number; brokers: number[]; controllers: number[] }
  | { type: 'speed-changed'; time: number; speed: number }
  /** The cluster clock stopped, and every transport holds what arrives (cluster.pause()). */
  | { type: 'time-paused'; time: number }
  /** The clock runs again at `speed`; what was held is delivered. */
  | { type: 'time-resumed'; time: number; speed: number }
  /**
   * One step while paused: the oldest held message was delivered (`delivered`, with the cluster
   * time it was sent), or, none being held, the clock moved `advancedMs`. `held`: still held after.
   */
  | { type: 'time-stepped'; time: number; delivered: { from: string; to: string; sentAt: number } | null; advancedMs: number; held: number }
  /** Visual mode: each hop takes `latencyMs` more of cluster time (0: off). */
  | { type: 'latency-changed'; time: number; latencyMs: number }
  /** The host changed the network's cut (isolate, partition, heal): `cut` is the whole cut now, null when healed. */
  | { type: 'network-changed'; time: number; cut: NetworkCut | null };

/**
 * A client application in its own Web Worker (cluster.startConsumer, cluster.startProducer):
 * started, stopped (a consumer left its group; a producer finished what it had in flight),
 * killed (worker terminated: a crash, a group learns only by session.timeout.ms).
 * `client` is its network address and id, e.g. 'consumer-1', 'producer-2'.
 */
export type ClientAppEvent =
  | { type: 'client-started'; time: number; client: string; kind: 'consumer'; groupId: string; topics: string[]; config: Record<string, unknown> }
  | { type: 'client-started'; time: number; client: string; kind: 'producer'; topics: string[]; config: Record<string, unknown> }
  /**
   * A producer application's summary of the sends that completed since its last one (about once
   * a second of cluster time): records acknowledged per partition with their offsets (null with
   * acks=0: no reply), and failed records by the error's Kafka name (NOT_ENOUGH_REPLICAS, ...).
   */
  | {
    type: 'producer-sent'; time: number; node: string; topic: string; acks: -1 | 0 | 1;
    partitions: { partition: number; count: number; firstOffset: number | null; lastOffset: number | null }[];
    acknowledged: number; errors: Record<string, number>;
  }
  | { type: 'client-stopped'; time: number; client: string; kind?: 'consumer' | 'producer' }
  | { type: 'client-killed'; time: number; client: string; kind?: 'consumer' | 'producer' }
  /** The application's eachMessage handler finished records firstOffset..lastOffset (in order) of one partition. */
  | { type: 'consumer-processed'; time: number; node: string; groupId: string; topic: string; partition: number; firstOffset: number; lastOffset: number; count: number };

export type ClusterEvent = NodeEvent | HostEvent | ClientAppEvent;
