import { BrokerServer } from '../kafka/broker/brokerServer';
import { ControllerServer } from '../kafka/controller/controllerServer';
import { DEFAULT_BROKER_CONFIG, DEFAULT_CONTROLLER_CONFIG, brokerAddress, controllerAddress, type BrokerConfig, type ControllerConfig } from '../kafka/config';
import type { NodeEvent } from '../kafka/events';
import type { EventSink } from '../kafka/ports';
import { Kafka, type KafkaConfig } from '../kafka/client/kafka';
import { MemoryLogStore, MemoryMetaStore } from './memoryStores';
import { SimNetwork, type LinkOptions } from './network';
import { SeededRandom } from './random';
import { SimScheduler } from './scheduler';
import { clientsReach, cutPairs, isolateCut, partitionCut, type NetworkCut, type PartitionOptions } from '../cluster/networkCut';

export interface SimClusterOptions {
  seed: number;
  brokers?: number;
  controllers?: number;
  link?: LinkOptions;
  /** Keep every event (for assertions); off by default to save memory in long runs. */
  recordEvents?: boolean;
  /** broker.rack of broker i is racks[(i - 1) % racks.length]; none by default. */
  racks?: string[];
  /** Overrides for every broker's and controller's config. */
  brokerConfig?: Partial<BrokerConfig>;
  controllerConfig?: Partial<ControllerConfig>;
}

interface SimNode<T> { server: T | null; logStore: MemoryLogStore; metaStore: MemoryMetaStore }

/**
 * A whole cluster in one process on simulated time: the same BrokerServer and ControllerServer
 * the workers run, over SimNetwork and memory stores that survive a kill. Seeded: a failing
 * seed replays exactly.
 */
export class SimCluster {
  readonly scheduler = new SimScheduler();
  readonly random: SeededRandom;
  readonly network: SimNetwork;
  readonly brokers = new Map<number, SimNode<BrokerServer>>();
  readonly controllers = new Map<number, SimNode<ControllerServer>>();
  readonly events: NodeEvent[] = [];
  readonly clusterId = 'sim-cluster-0000000000';
  private readonly listeners = new Set<(event: NodeEvent) => void>();
  private clientCount = 0;
  private readonly clientAddresses: string[] = [];
  /** The partition made by isolate/partition (the browser's meaning), and the links it cut on the SimNetwork. */
  private cut: NetworkCut | null = null;
  private readonly cutLinks = new Set<string>();

  constructor(readonly options: SimClusterOptions) {
    this.random = new SeededRandom(options.seed);
    this.network = new SimNetwork(this.scheduler, this.random.fork(), options.link);
    for (let i = 0; i < (options.controllers ?? 1); i++) this.controllers.set(1000 + i, { server: null, logStore: new MemoryLogStore(), metaStore: new MemoryMetaStore() });
    for (let i = 1; i <= (options.brokers ?? 3); i++) this.brokers.set(i, { server: null, logStore: new MemoryLogStore(), metaStore: new MemoryMetaStore() });
  }

  get voters(): number[] {
    return [...this.controllers.keys()];
  }

  onEvent(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private sink: EventSink = (event) => {
    if (this.options.recordEvents) this.events.push(event);
    for (const listener of this.listeners) listener(event);
  };

  async start(): Promise<void> {
    for (const id of this.controllers.keys()) await this.startController(id);
    for (const id of this.brokers.keys()) await this.startBroker(id);
  }

  /** Waits until every live broker is registered and unfenced. */
  async waitForBrokersRunning(timeoutMs = 60_000): Promise<void> {
    const controller = () => [...this.controllers.values()].find((c) => c.server)?.server;
    await this.scheduler.runUntilTrue(() => {
      const image = controller()?.image;
      if (!image) return false;
      return [...this.brokers].every(([id, node]) => !node.server || image.brokers.get(id)?.fenced === false);
    }, timeoutMs, 'brokers running');
  }

  async startController(id: number): Promise<void> {
    const node = this.controllers.get(id)!;
    const address = controllerAddress(id);
    const server = new ControllerServer(
      { ...DEFAULT_CONTROLLER_CONFIG, ...this.options.controllerConfig, 'cluster.id': this.clusterId, 'node.id': id, 'controller.quorum.voters': this.voters },
      { transport: this.network.attach(address), clock: this.scheduler.clockFor(address), random: this.random.fork(), logStore: node.logStore, metaStore: node.metaStore, events: this.sink },
    );
    node.server = server;
    await server.start();
  }

  async startBroker(id: number): Promise<void> {
    const node = this.brokers.get(id)!;
    const address = brokerAddress(id);
    const server = new BrokerServer(
      {
        ...DEFAULT_BROKER_CONFIG, 'offsets.topic.replication.factor': Math.min(3, this.brokers.size), ...this.options.brokerConfig,
        'cluster.id': this.clusterId, 'node.id': id, 'controller.quorum.voters': this.voters,
        'broker.rack': this.options.racks ? this.options.racks[(id - 1) % this.options.racks.length] : null,
      },
      { transport: this.network.attach(address), clock: this.scheduler.clockFor(address), random: this.random.fork(), logStore: node.logStore, metaStore: node.metaStore, events: this.sink },
    );
    node.server = server;
    await server.start();
  }

  /** A crash: timers and network gone at once, no goodbye; the stores stay, as a disk does. */
  killBroker(id: number): void {
    const node = this.brokers.get(id)!;
    const address = brokerAddress(id);
    node.server?.stop();
    node.server = null;
    this.network.detach(address);
    this.scheduler.cancelOwner(address);
  }

  killController(id: number): void {
    const node = this.controllers.get(id)!;
    const address = controllerAddress(id);
    node.server?.stop();
    node.server = null;
    this.network.detach(address);
    this.scheduler.cancelOwner(address);
  }

  private nodeIds(): number[] {
    return [...this.brokers.keys(), ...this.controllers.keys()];
  }

  private addressOf(id: number): string {
    if (this.brokers.has(id)) return brokerAddress(id);
    if (this.controllers.has(id)) return controllerAddress(id);
    throw new Error(`There is no node ${id} in this cluster`);
  }

  /** The links the cut asks for: node pairs across groups, and clients to every node off their side. */
  private linksFor(cut: NetworkCut | null): [string, string][] {
    const links = cutPairs(cut, this.nodeIds()).map(([a, b]): [string, string] => [this.addressOf(a), this.addressOf(b)]);
    const away = this.nodeIds().filter((id) => !clientsReach(cut, id)).map((id) => this.addressOf(id));
    for (const client of this.clientAddresses) for (const node of away) links.push([client, node]);
    return links;
  }

  /**
   * Makes the SimNetwork's cuts match `cut`. Cuts only ever add links, so removing one (a new
   * partition that reconnects some pair) heals the network first: that also ends isolations and
   * link faults set on `network` directly, as network.heal() does.
   */
  private applyCut(cut: NetworkCut | null): NetworkCut | null {
    this.cut = cut;
    const wanted = new Map(this.linksFor(cut).map(([a, b]) => [`${a}|${b}`, [a, b] as const]));
    if ([...this.cutLinks].some((key) => !wanted.has(key))) {
      this.network.heal();
      this.cutLinks.clear();
    }
    for (const [key, [a, b]] of wanted) {
      if (this.cutLinks.has(key)) continue;
      this.network.cut(a, b);
      this.cutLinks.add(key);
    }
    return cut;
  }

  /** The cut made by isolate/partition now; null when healed. */
  networkCut(): NetworkCut | null {
    return this.cut;
  }

  /**
   * As `cluster.isolate(id)` in the browser: node `id` (broker or controller) reaches no other
   * node, on top of any cut already made; it keeps running, and a restart keeps it cut. Clients
   * stay on their side (the largest group, unless `clientsWith` says otherwise).
   */
  isolate(id: number, options: PartitionOptions = {}): NetworkCut | null {
    return this.applyCut(isolateCut(this.cut, id, this.nodeIds(), options));
  }

  /** As `cluster.partition(groups)`: the nodes split into groups that do not reach one another. */
  partition(groups: readonly (readonly number[])[], options: PartitionOptions = {}): NetworkCut | null {
    return this.applyCut(partitionCut(groups, this.nodeIds(), options));
  }

  /** As `cluster.heal()`: ends every network fault (SimNetwork.heal). */
  heal(): void {
    this.cut = null;
    this.cutLinks.clear();
    this.network.heal();
  }

  /** A KafkaJS-shaped client on its own network address, on the clients' side of any cut. */
  kafka(config: KafkaConfig = {}): Kafka {
    const address = `client-${++this.clientCount}`;
    this.clientAddresses.push(address);
    const transport = this.network.attach(address);
    if (this.cut) this.applyCut(this.cut);
    const kafka = new Kafka({ clientId: address, ...config }, {
      transport, clock: this.scheduler.clockFor(address), random: this.random.fork(), events: this.sink,
      bootstrapBrokers: () => [...this.brokers.keys()],
    });
    this.clientOf.set(kafka, address);
    return kafka;
  }

  private readonly clientOf = new Map<Kafka, string>();

  /**
   * A client application crashes: its network and timers vanish with no goodbye (no LeaveGroup),
   * as a killed consumer process; its group learns only when its session times out.
   */
  killClient(kafka: Kafka): void {
    const address = this.clientOf.get(kafka);
    if (!address) throw new Error('not a client of this cluster');
    this.network.detach(address);
    this.scheduler.cancelOwner(address);
  }

  /** The active controller (the quorum leader), else any live one. */
  controller(): ControllerServer {
    const live = [...this.controllers.values()].map((c) => c.server).filter((s): s is ControllerServer => s !== null);
    const server = live.find((c) => c.isActive) ?? live[0];
    if (!server) throw new Error('no live controller');
    return server;
  }
}

/**
 * The opening of many client tests: a started cluster of 3 brokers and 1 controller with one topic
 * (replication factor 3) created by a connected admin, which is returned for more.
 */
export async function clusterWithTopic(options: {
  seed: number; topic: string; partitions: number; configEntries?: { name: string; value: string }[]; clientId?: string;
}): Promise<{ cluster: SimCluster; scheduler: SimScheduler; kafka: Kafka; admin: ReturnType<Kafka['admin']> }> {
  const cluster = new SimCluster({ seed: options.seed, brokers: 3, controllers: 1 });
  const { scheduler } = cluster;
  await cluster.start();
  await cluster.waitForBrokersRunning();
  const kafka = cluster.kafka({ clientId: options.clientId ?? 'setup' });
  const admin = kafka.admin();
  await scheduler.await(admin.connect());
  await scheduler.await(admin.createTopics({ topics: [{ topic: options.topic, numPartitions: options.partitions, replicationFactor: 3, configEntries: options.configEntries }] }));
  return { cluster, scheduler, kafka, admin };
}
