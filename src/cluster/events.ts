import type { NodeEvent, NodeRole } from '../kafka/events';

/** What the host itself reports, beside what nodes report. */
export type HostEvent =
  | { type: 'node-spawned'; time: number; node: string; role: NodeRole }
  | { type: 'node-killed'; time: number; node: string; role: NodeRole }
  | { type: 'cluster-reset'; time: number; brokers: number[]; controllers: number[] }
  | { type: 'speed-changed'; time: number; speed: number };

export type ClusterEvent = NodeEvent | HostEvent;
