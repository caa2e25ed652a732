import type { NodeEvent, NodeRole } from '../kafka/events';
import type { NetworkCut } from './networkCut';

/** What the host itself reports, beside what nodes report. */
export type HostEvent =
  | { type: 'node-spawned'; time: number; node: string; role: NodeRole }
  | { type: 'node-killed'; time: number; node: string; role: NodeRole }
  | { type: 'cluster-reset'; time: number; brokers: number[]; controllers: number[] }
  | { type: 'speed-changed'; time: number; speed: number }
  /** The host changed the network's cut (isolate, partition, heal): `cut` is the whole cut now, null when healed. */
  | { type: 'network-changed'; time: number; cut: NetworkCut | null };

/**
 * A consumer application in its own Web Worker (cluster.startConsumer): started, stopped (it left
 * its group), killed (worker terminated: a crash, its group learns only by session.timeout.ms).
 * `client` is its network address and id, e.g. 'consumer-1'.
 */
export type ClientAppEvent =
  | { type: 'client-started'; time: number; client: string; kind: 'consumer'; groupId: string; topics: string[]; config: Record<string, unknown> }
  | { type: 'client-stopped'; time: number; client: string }
  | { type: 'client-killed'; time: number; client: string }
  /** The application's eachMessage handler finished records firstOffset..lastOffset (in order) of one partition. */
  | { type: 'consumer-processed'; time: number; node: string; groupId: string; topic: string; partition: number; firstOffset: number; lastOffset: number; count: number };

export type ClusterEvent = NodeEvent | HostEvent | ClientAppEvent;
