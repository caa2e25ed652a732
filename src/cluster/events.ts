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

export type ClusterEvent = NodeEvent | HostEvent;
