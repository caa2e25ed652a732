import * as Comlink from 'comlink';
import { BrokerServer } from '../kafka/broker/brokerServer';
import { ControllerServer } from '../kafka/controller/controllerServer';
import type { BrokerConfig, ControllerConfig } from '../kafka/config';
import type { NodeEvent } from '../kafka/events';
import { eventBatcher } from './eventBatcher';
import { MessageChannelTransport } from './messageChannelTransport';
import { IdbLogStore, IdbMetaStore, openNodeDatabase } from './idbStores';
import { ScaledClock, type TimeAnchor } from './scaledClock';
import { workerTime, type WorkerTimeApi } from './timeOps';

export type NodeInit =
  | { role: 'broker'; address: string; config: BrokerConfig; database: string; anchor: TimeAnchor; latencyMs: number }
  | { role: 'controller'; address: string; config: ControllerConfig; database: string; anchor: TimeAnchor; latencyMs: number };

/** What the host can ask of a node worker. Everything else goes over the nodes' own MessageChannels. */
export interface NodeWorkerApi extends WorkerTimeApi {
  start(init: NodeInit, events: MessagePort): Promise<void>;
  connect(peer: string, port: MessagePort): void;
  /** A peer's worker was terminated. */
  peerDown(peer: string): void;
  /** Drops traffic to and from these addresses (a network cut); an empty list heals. */
  block(addresses: string[]): void;
}

/**
 * Wires the browser ports (MessageChannel, IndexedDB, scaled wall clock) to the same node code
 * the simulations run, and exposes it to the host. Nothing Kafka-specific happens here.
 */
export function exposeNode(): void {
  let transport: MessageChannelTransport | null = null;
  let clock: ScaledClock | null = null;
  // Connections may arrive before start() finishes opening IndexedDB: keep them until then.
  const early: [string, MessagePort][] = [];
  // The host sends a restarted node's cut before start(): it holds from the first message.
  let blocked: string[] = [];
  const time = workerTime(() => ({ clock, transport }));

  const api: NodeWorkerApi = {
    async start(init, eventsPort) {
      const events = eventBatcher<NodeEvent>(eventsPort).push;
      clock = new ScaledClock(init.anchor);
      transport = new MessageChannelTransport(init.address, clock);
      time.apply(clock, transport, init.anchor, init.latencyMs);
      transport.setBlocked(blocked);
      for (const [peer, port] of early.splice(0)) transport.connect(peer, port);
      const db = await openNodeDatabase(init.database);
      const context = { transport, clock, random: { next: Math.random }, logStore: new IdbLogStore(db), metaStore: new IdbMetaStore(db), events };
      const server = init.role === 'broker' ? new BrokerServer(init.config, context) : new ControllerServer(init.config, context);
      await server.start();
    },
    connect(peer, port) {
      if (transport) transport.connect(peer, port);
      else early.push([peer, port]);
    },
    peerDown(peer) {
      transport?.peerDown(peer);
    },
    setTime: (anchor) => time.setTime(anchor),
    setLatency: (ms) => time.setLatency(ms),
    held: () => time.held(),
    deliverOldest: () => time.deliverOldest(),
    block(addresses) {
      blocked = [...addresses];
      transport?.setBlocked(blocked);
    },
  };
  Comlink.expose(api);
}
