/**
 * For tests: the tutorials' API (TutorialApi) over a SimCluster, so every tutorial's actions and
 * conditions run against the same broker, controller and client code the workers run, on
 * simulated time. Events reach a cluster store exactly as in the browser, with the host's own
 * events (nodes spawned and killed, client applications, network cuts) made here as the host
 * makes them.
 */
import type { ClusterEvent } from '../cluster/events';
import { clientsReach, type NetworkCut, type PartitionOptions } from '../cluster/networkCut';
import { brokerAddress, controllerAddress } from '../kafka/config';
import { Kafka, type KafkaConfig } from '../kafka/client/kafka';
import { ConsumerApp, consumerAppOptions, type StartConsumerOptions } from '../runtime/clientRuntime';
import { ProducerApp, producerAppOptions, type StartProducerOptions } from '../runtime/producerApp';
import { SimCluster } from '../sim/simCluster';
import { createClusterStore } from '../store/clusterStore';
import { describeCluster, type ClusterDescription } from '../store/selectors';
import type { ActionTools, TutorialApi } from './types';

interface App { address: string; app: ConsumerApp | ProducerApp }

export class SimPlayground implements TutorialApi {
  readonly sim: SimCluster;
  private readonly store = createClusterStore();
  private pending: ClusterEvent[] = [];
  private readonly listeners = new Set<(events: readonly ClusterEvent[]) => void>();
  private readonly apps = new Map<string, App>();
  private counts = { consumer: 0, producer: 0 };
  private cut: NetworkCut | null = null;
  readonly cluster: TutorialApi['cluster'];
  /** The polling of `until`, as the panel polls: on the cluster clock. */
  readonly tools: ActionTools;

  constructor(seed: number) {
    // The browser's default shape: 3 brokers on racks a, b, c and 3 controllers.
    this.sim = new SimCluster({ seed, brokers: 3, controllers: 3, racks: ['a', 'b', 'c'] });
    this.sim.onEvent((event) => this.emit(event));
    const clock = this.sim.scheduler.clockFor('tutorial');
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimer(ms, resolve));
    this.tools = {
      until: async (what, check, timeoutMs = 60_000) => {
        const deadline = clock.now() + timeoutMs;
        while (!check(this.describe())) {
          if (clock.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await sleep(100);
        }
      },
    };
    const sim = this.sim;
    this.cluster = {
      describe: () => this.describe(),
      killBroker: (id) => {
        sim.killBroker(id);
        this.host({ type: 'node-killed', time: this.now(), node: brokerAddress(id), role: 'broker' });
      },
      restartBroker: async (id) => {
        this.host({ type: 'node-spawned', time: this.now(), node: brokerAddress(id), role: 'broker' });
        await sim.startBroker(id);
      },
      killController: (id) => {
        sim.killController(id);
        this.host({ type: 'node-killed', time: this.now(), node: controllerAddress(id), role: 'controller' });
      },
      restartController: async (id) => {
        this.host({ type: 'node-spawned', time: this.now(), node: controllerAddress(id), role: 'controller' });
        await sim.startController(id);
      },
      isolate: (id: number, options?: PartitionOptions) => this.setCut(sim.isolate(id, options)),
      heal: () => {
        sim.heal();
        this.setCut(null);
      },
      startConsumer: (options: StartConsumerOptions) => this.startApp('consumer', options),
      startProducer: (options: StartProducerOptions) => this.startApp('producer', options),
      stopClient: async (id) => {
        const app = this.apps.get(id);
        if (!app) throw new Error(`There is no client application "${id}"`);
        this.apps.delete(id);
        await app.app.stop().catch(() => undefined);
        this.endApp(app);
        this.host({ type: 'client-stopped', time: this.now(), client: id, kind: app.app instanceof ConsumerApp ? 'consumer' : 'producer' });
      },
      killClient: (id) => {
        const app = this.apps.get(id);
        if (!app) throw new Error(`There is no client application "${id}"`);
        this.apps.delete(id);
        this.endApp(app);
        this.host({ type: 'client-killed', time: this.now(), client: id, kind: app.app instanceof ConsumerApp ? 'consumer' : 'producer' });
      },
    };
  }

  private now(): number {
    return this.sim.scheduler.now;
  }

  private emit(event: ClusterEvent): void {
    this.pending.push(event);
    for (const listener of this.listeners) listener([event]);
  }

  private host(event: ClusterEvent): void {
    this.emit(event);
  }

  onEvents(listener: (events: readonly ClusterEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  describe(): ClusterDescription {
    if (this.pending.length > 0) {
      this.store.getState().apply(this.pending);
      this.pending = [];
    }
    return describeCluster(this.store.getState());
  }

  kafka(config?: KafkaConfig): Kafka {
    return this.sim.kafka(config);
  }

  async start(): Promise<void> {
    for (const id of this.sim.controllers.keys()) this.host({ type: 'node-spawned', time: this.now(), node: controllerAddress(id), role: 'controller' });
    for (const id of this.sim.brokers.keys()) this.host({ type: 'node-spawned', time: this.now(), node: brokerAddress(id), role: 'broker' });
    await this.sim.start();
    await this.sim.waitForBrokersRunning();
  }

  /** A client application on its own address, as a client worker is ('consumer-1'), on the clients' side of any cut. */
  private async startApp(kind: 'consumer' | 'producer', options: StartConsumerOptions | StartProducerOptions): Promise<string> {
    const id = `${kind}-${++this.counts[kind]}`;
    const consumerOptions = kind === 'consumer' ? consumerAppOptions(options) : null;
    const producerOptions = kind === 'producer' ? producerAppOptions(options) : null;
    const clock = this.sim.scheduler.clockFor(id);
    const transport = this.sim.network.attach(id);
    const kafka = new Kafka({ clientId: options.clientId ?? id }, {
      transport, clock, random: this.sim.random.fork(), events: (e) => this.emit(e),
      bootstrapBrokers: () => [...this.sim.brokers.keys()],
    });
    if (consumerOptions) {
      this.host({ type: 'client-started', time: this.now(), client: id, kind: 'consumer', groupId: consumerOptions.groupId, topics: consumerOptions.topics, config: { ...consumerOptions } });
    } else {
      this.host({ type: 'client-started', time: this.now(), client: id, kind: 'producer', topics: [producerOptions!.topic], config: { ...producerOptions } });
    }
    const app = consumerOptions
      ? new ConsumerApp(kafka, clock, id, (e) => this.emit(e), consumerOptions)
      : new ProducerApp(kafka, clock, id, (e) => this.emit(e), producerOptions!, () => this.sim.random.next());
    this.apps.set(id, { address: id, app });
    this.blockApp(id);
    await app.start();
    return id;
  }

  private endApp(app: App): void {
    this.sim.network.detach(app.address);
    this.sim.scheduler.cancelOwner(app.address);
  }

  /** Cuts an application from the brokers off its side, as the host blocks a client worker. */
  private blockApp(address: string): void {
    if (!this.cut) return;
    for (const id of this.sim.brokers.keys()) if (!clientsReach(this.cut, id)) this.sim.network.cut(address, brokerAddress(id));
  }

  private setCut(cut: NetworkCut | null): NetworkCut | null {
    this.cut = cut;
    // SimCluster handles its own clients; the applications here are cut the same way.
    for (const { address } of this.apps.values()) this.blockApp(address);
    this.host({ type: 'network-changed', time: this.now(), cut });
    return cut;
  }
}
