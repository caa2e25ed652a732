import * as Comlink from 'comlink';
import { BrokerServer } from '../kafka/broker/brokerServer';
import { ControllerServer } from '../kafka/controller/controllerServer';
import type { BrokerConfig, ControllerConfig } from '../kafka/config';
import type { NodeEvent } from '../kafka/events';
import { eventBatcher } from './eventBatcher';
import { IdbLogStore, IdbMetaStore, openNodeDatabase } from './idbStores';
import type { TimeAnchor } from './scaledClock';
import { workerWiring, type WorkerWiringApi } from './workerWiring';
import { topicPartitionName } from '../kafka/common/serial';

export type NodeInit =
  | { role: 'broker'; address: string; config: BrokerConfig; database: string; anchor: TimeAnchor; latencyMs: number }
  | { role: 'controller'; address: string; config: ControllerConfig; database: string; anchor: TimeAnchor; latencyMs: number };

/** What the host can ask of a node worker. Everything else goes over the nodes' own MessageChannels. */
export interface NodeWorkerApi extends WorkerWiringApi {
  start(init: NodeInit, events: MessagePort): Promise<void>;
}

/**
 * Wires the browser ports (MessageChannel, IndexedDB, scaled wall clock) to the same node code
 * the simulations run, and exposes it to the host. Nothing Kafka-specific happens here.
 */
export function exposeNode(): void {
  const wiring = workerWiring();
  const api: NodeWorkerApi = {
    ...wiring.api,
    async start(init, eventsPort) {
      // A replica reports its offsets on every change; only the newest of a batch is sent.
      const events = eventBatcher<NodeEvent>(eventsPort, (e) => (e.type === 'partition-offsets' ? topicPartitionName(e.topic, e.partition) : null)).push;
      const { clock, transport } = wiring.start(init.address, init.anchor, init.latencyMs);
      const db = await openNodeDatabase(init.database);
      const context = { transport, clock, random: { next: Math.random }, logStore: new IdbLogStore(db), metaStore: new IdbMetaStore(db), events };
      const server = init.role === 'broker' ? new BrokerServer(init.config, context) : new ControllerServer(init.config, context);
      await server.start();
    },
  };
  Comlink.expose(api);
}
