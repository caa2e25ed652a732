import * as Comlink from 'comlink';
import { DEFAULT_BROKER_CONFIG, DEFAULT_CONTROLLER_CONFIG, brokerAddress, controllerAddress } from '../kafka/config';
import type { NodeRole } from '../kafka/events';
import { Kafka, type ClientContext, type KafkaConfig } from '../kafka/client/kafka';
import { Cluster } from '../kafka/client/cluster';
import { retryPolicy } from '../kafka/client/retry';
import { Rpc } from '../kafka/common/rpc';
import type { ApiKey, RequestOf, ResponseOf } from '../kafka/protocol/messages';
import type { NodeInit, NodeWorkerApi } from '../runtime/nodeRuntime';
import { consumerAppOptions, type ClientWorkerApi } from '../runtime/clientRuntime';
import { ScaledClock, type TimeAnchor } from '../runtime/scaledClock';
import { deleteAllPlaygroundDatabases, nodeDatabaseName } from '../runtime/idbStores';
import { ClientHub } from './clientHub';
import type { ClusterEvent } from './events';
import { clientsReach, isolateCut, partitionCut, unreachableFrom, type NetworkCut, type PartitionOptions } from './networkCut';

export interface ClusterShape { brokers: number; controllers: number }
/** Three brokers and a KRaft quorum of three controllers (ids 1000, 1001, 1002), each its own worker. */
export const DEFAULT_SHAPE: ClusterShape = { brokers: 3, controllers: 3 };
export const CONTROLLER_ID_BASE = 1000;
export const RACKS = ['rack-a', 'rack-b', 'rack-c'];

interface NodeHandle {
  address: string; role: Exclude<NodeRole, 'client'>; id: number;
  worker: Worker | null; api: Comlink.Remote<NodeWorkerApi> | null;
}

/** A client application in its own worker (cluster.startConsumer); `id` is also its network address. */
interface ClientHandle {
  id: string; kind: 'consumer';
  worker: Worker | null; api: Comlink.Remote<ClientWorkerApi> | null;
  /** Set while start() runs: a worker terminated then never answers, so its start is failed here. */
  abortStart: (() => void) | null;
}

/** How long stopClient waits for the application to leave its group before terminating it anyway. */
const CLIENT_STOP_TIMEOUT_MS = 30_000;

/** Thrown by start() when another tab runs this cluster. */
export class ClusterLockedError extends Error {
  constructor() {
    super('This cluster is open in another tab.');
  }
}

const LOCK_NAME = 'kafka-playground:cluster';
const HANDOVER_CHANNEL = 'kafka-playground:handover';
const wallNow = (): number => performance.timeOrigin + performance.now();

/**
 * Owns the node workers on the main thread: spawns one Web Worker per broker and controller,
 * wires a MessageChannel between every pair of nodes (and one per broker for the page's
 * clients), kills with worker.terminate() (a crash, no goodbye), restarts from IndexedDB, and
 * streams every ClusterEvent to `onEvents`. It never reads node state: only events.
 */
export class ClusterHost {
  private nodes = new Map<string, NodeHandle>();
  private readonly hub = new ClientHub();
  private anchor: TimeAnchor = { wallMs: wallNow(), clusterMs: Date.now(), speed: 1 };
  private readonly clientClock = new ScaledClock(this.anchor);
  private clientCount = 0;
  /** Client applications, each in its own worker, by id ('consumer-1'). Killed or stopped ones stay, without a worker. */
  private readonly clients = new Map<string, ClientHandle>();
  private consumerCount = 0;
  private releaseLock: (() => void) | null = null;
  private shape: ClusterShape = DEFAULT_SHAPE;
  /** The network partition injected now (null: every node reaches every other). */
  private cut: NetworkCut | null = null;
  private readonly handover = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(HANDOVER_CHANNEL);
  /** Set when another tab took the cluster over: this page's nodes are gone. */
  onTakenOver: (() => void) | null = null;

  constructor(private readonly clusterName: string, private readonly onEvents: (events: ClusterEvent[]) => void) {}

  get speed(): number {
    return this.anchor.speed;
  }

  now(): number {
    return this.clientClock.now();
  }

  private emit(event: ClusterEvent): void {
    this.onEvents([event]);
  }

  /**
   * Takes the cluster's Web Lock (one tab per cluster: two copies of a node over the same
   * IndexedDB would corrupt it), then starts the nodes. With `takeOver`, the other tab is
   * asked to stop its nodes first and we wait for it to say it has.
   */
  async start(shape: ClusterShape = DEFAULT_SHAPE, options: { takeOver?: boolean } = {}): Promise<void> {
    await this.acquireLock(options.takeOver ?? false);
    this.shape = shape;
    await this.spawnAll();
  }

  private async acquireLock(takeOver: boolean): Promise<void> {
    if (typeof navigator === 'undefined' || !navigator.locks) return;
    const released = takeOver ? this.waitForHandover() : null;
    const acquired = await new Promise<boolean>((resolve) => {
      const lockRequest = navigator.locks.request(LOCK_NAME, takeOver ? { steal: true } : { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(false);
          return undefined;
        }
        resolve(true);
        return new Promise<void>((release) => { this.releaseLock = release; });
      });
      // A steal by another tab rejects our held request: stop every node, then tell that tab.
      lockRequest.catch(() => this.yieldToOtherTab());
    });
    if (!acquired) throw new ClusterLockedError();
    if (released) await released;
    this.handover?.addEventListener('message', (event) => {
      if (event.data === 'stop') this.yieldToOtherTab();
    });
  }

  private waitForHandover(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.handover) return resolve();
      const timer = setTimeout(resolve, 3000); // the other tab may be frozen or closing
      this.handover.addEventListener('message', (event) => {
        if (event.data === 'stopped') {
          clearTimeout(timer);
          resolve();
        }
      });
      this.handover.postMessage('stop');
    });
  }

  private yieldToOtherTab(): void {
    if (this.nodes.size === 0 && !this.releaseLock) return;
    this.terminateAll();
    this.releaseLock?.();
    this.releaseLock = null;
    this.handover?.postMessage('stopped');
    this.onTakenOver?.();
  }

  private async spawnAll(): Promise<void> {
    const controllerIds = Array.from({ length: this.shape.controllers }, (_, i) => CONTROLLER_ID_BASE + i);
    const brokerIds = Array.from({ length: this.shape.brokers }, (_, i) => i + 1);
    this.nodes = new Map();
    for (const id of controllerIds) this.nodes.set(controllerAddress(id), { address: controllerAddress(id), role: 'controller', id, worker: null, api: null });
    for (const id of brokerIds) this.nodes.set(brokerAddress(id), { address: brokerAddress(id), role: 'broker', id, worker: null, api: null });
    await Promise.all([...this.nodes.values()].map((node) => this.spawn(node)));
  }

  private clusterId(): string {
    return `playground-${this.clusterName}`;
  }

  private initFor(node: NodeHandle): NodeInit {
    const voters = [...this.nodes.values()].filter((n) => n.role === 'controller').map((n) => n.id);
    const database = nodeDatabaseName(this.clusterName, node.address);
    if (node.role === 'controller') {
      return { role: 'controller', address: node.address, database, anchor: this.anchor, config: { ...DEFAULT_CONTROLLER_CONFIG, 'cluster.id': this.clusterId(), 'node.id': node.id, 'controller.quorum.voters': voters } };
    }
    return {
      role: 'broker', address: node.address, database, anchor: this.anchor,
      config: {
        ...DEFAULT_BROKER_CONFIG, 'cluster.id': this.clusterId(), 'node.id': node.id, 'broker.rack': RACKS[(node.id - 1) % RACKS.length], 'controller.quorum.voters': voters,
        // Kafka's 3 cannot be met by a smaller cluster; one sets it to the cluster size there.
        'offsets.topic.replication.factor': Math.min(3, this.shape.brokers),
      },
    };
  }

  /** Starts a node's worker and connects it to every live peer and to the page's clients. */
  private async spawn(node: NodeHandle): Promise<void> {
    const worker = node.role === 'broker'
      ? new Worker(new URL('../workers/broker.worker.ts', import.meta.url), { type: 'module', name: node.address })
      : new Worker(new URL('../workers/controller.worker.ts', import.meta.url), { type: 'module', name: node.address });
    const api = Comlink.wrap<NodeWorkerApi>(worker);
    node.worker = worker;
    node.api = api;
    for (const peer of this.nodes.values()) {
      if (peer === node || !peer.api) continue;
      const channel = new MessageChannel();
      void api.connect(peer.address, Comlink.transfer(channel.port1, [channel.port1]));
      void peer.api.connect(node.address, Comlink.transfer(channel.port2, [channel.port2]));
    }
    if (node.role === 'broker') {
      const channel = new MessageChannel();
      this.hub.connect(node.address, channel.port1);
      void api.connect('clients', Comlink.transfer(channel.port2, [channel.port2]));
      for (const client of this.clients.values()) if (client.api) this.connectClient(client.api, client.id, api, node.address);
    }
    // A restarted node comes back on its side of the cut: the worker holds this before it starts.
    if (this.cut) void api.block(this.blockedAddresses(node.id));
    const events = new MessageChannel();
    events.port1.onmessage = (event: MessageEvent<ClusterEvent[]>) => this.onEvents(event.data);
    this.emit({ type: 'node-spawned', time: this.now(), node: node.address, role: node.role });
    await api.start(this.initFor(node), Comlink.transfer(events.port2, [events.port2]));
  }

  private kill(address: string): void {
    const node = this.nodes.get(address);
    if (!node?.worker) return;
    node.worker.terminate();
    node.worker = null;
    node.api = null;
    // The OS of a crashed Kafka process resets its connections: peers learn at once.
    for (const peer of this.nodes.values()) void peer.api?.peerDown(address);
    for (const client of this.clients.values()) void client.api?.peerDown(address);
    this.hub.peerDown(address);
    this.emit({ type: 'node-killed', time: this.now(), node: address, role: node.role });
  }

  private async restart(address: string): Promise<void> {
    const node = this.nodes.get(address);
    if (!node) throw new Error(`no node ${address}`);
    if (node.worker) return;
    await this.spawn(node);
  }

  private requireNode(role: 'broker' | 'controller', id: number): string {
    const address = role === 'broker' ? brokerAddress(id) : controllerAddress(id);
    if (!this.nodes.has(address)) throw new Error(`There is no ${role} ${id} in this cluster`);
    return address;
  }

  killBroker(id: number): void {
    this.kill(this.requireNode('broker', id));
  }
  restartBroker(id: number): Promise<void> {
    return this.restart(this.requireNode('broker', id));
  }
  killController(id: number): void {
    this.kill(this.requireNode('controller', id));
  }
  restartController(id: number): Promise<void> {
    return this.restart(this.requireNode('controller', id));
  }

  nodeList(): { address: string; role: 'broker' | 'controller'; id: number; alive: boolean }[] {
    return [...this.nodes.values()].map((n) => ({ address: n.address, role: n.role, id: n.id, alive: n.worker !== null }));
  }

  private nodeIds(): number[] {
    return [...this.nodes.values()].map((n) => n.id);
  }

  private addressOf(id: number): string {
    const node = [...this.nodes.values()].find((n) => n.id === id);
    if (!node) throw new Error(`There is no node ${id} in this cluster`);
    return node.address;
  }

  private blockedAddresses(id: number): string[] {
    return unreachableFrom(this.cut, id, this.nodeIds()).map((other) => this.addressOf(other));
  }

  /** The network's cut now; null when every node reaches every other. */
  network(): NetworkCut | null {
    return this.cut;
  }

  /**
   * Cuts node `id` (a broker 1..n or a controller 1000+) off from every other node, both ways,
   * on top of any cut already made; the node keeps running. The page's clients stay on their side.
   */
  isolate(id: number, options: PartitionOptions = {}): NetworkCut | null {
    return this.setCut(isolateCut(this.cut, id, this.nodeIds(), options));
  }

  /**
   * Splits the nodes into groups that cannot reach one another (replacing any earlier cut).
   * Nodes left out stay with the first group; the page's clients sit with the largest group,
   * or with `clientsWith`'s.
   */
  partition(groups: readonly (readonly number[])[], options: PartitionOptions = {}): NetworkCut | null {
    return this.setCut(partitionCut(groups, this.nodeIds(), options));
  }

  /** Ends the partition: every node and client reaches every other again. */
  heal(): NetworkCut | null {
    return this.setCut(null);
  }

  /** Brokers across the cut from the clients' side: the page's clients and the client workers sit there. */
  private brokersCutFromClients(): string[] {
    return [...this.nodes.values()].filter((n) => n.role === 'broker' && !clientsReach(this.cut, n.id)).map((n) => n.address);
  }

  /** Tells every live worker and the clients' hub what is across the cut, and reports it. */
  private setCut(cut: NetworkCut | null): NetworkCut | null {
    this.cut = cut;
    for (const node of this.nodes.values()) void node.api?.block(this.blockedAddresses(node.id));
    this.hub.setBlocked(this.brokersCutFromClients());
    for (const client of this.clients.values()) void client.api?.block(this.brokersCutFromClients());
    this.emit({ type: 'network-changed', time: this.now(), cut });
    return cut;
  }

  /** Wipes every node's IndexedDB data and starts a fresh cluster (on a healed network). */
  async reset(shape: ClusterShape = this.shape): Promise<void> {
    this.terminateAll();
    await deleteAllPlaygroundDatabases();
    this.shape = shape;
    this.emit({ type: 'cluster-reset', time: this.now(), brokers: Array.from({ length: shape.brokers }, (_, i) => i + 1), controllers: Array.from({ length: shape.controllers }, (_, i) => CONTROLLER_ID_BASE + i) });
    await this.spawnAll();
  }

  terminateAll(): void {
    // A reset or a takeover ends every client application with the cluster.
    for (const client of this.clients.values()) if (client.worker) this.endClient(client, 'client-killed');
    this.clients.clear();
    for (const node of this.nodes.values()) node.worker?.terminate();
    this.nodes.clear();
    this.hub.disconnectAll();
    // A new cluster starts on a healed network.
    this.cut = null;
    this.hub.setBlocked([]);
  }

  /** Speed of the cluster's clock for every node (0 pauses timers); cluster time stays continuous. */
  setSpeed(speed: number): void {
    const wall = wallNow();
    this.anchor = { wallMs: wall, clusterMs: this.clientClock.now(), speed };
    this.clientClock.setAnchor(this.anchor);
    for (const node of this.nodes.values()) void node.api?.setTime(this.anchor);
    for (const client of this.clients.values()) void client.api?.setTime(this.anchor);
    this.emit({ type: 'speed-changed', time: this.now(), speed });
  }

  /** A fresh MessageChannel between a client worker and a broker's worker, each end named after the other. */
  private connectClient(client: Comlink.Remote<ClientWorkerApi>, clientId: string, broker: Comlink.Remote<NodeWorkerApi>, brokerAddress: string): void {
    const channel = new MessageChannel();
    void client.connect(brokerAddress, Comlink.transfer(channel.port1, [channel.port1]));
    void broker.connect(clientId, Comlink.transfer(channel.port2, [channel.port2]));
  }

  /**
   * Starts a consumer application in its own Web Worker: a KafkaJS consumer in `groupId`
   * subscribed to `topics`, connected to every live broker (and to each broker that restarts
   * later), on the clients' side of any network cut. Resolves with its id (also its network
   * address) once it is connected and subscribed; it joins its group in the background.
   */
  async startConsumer(options: unknown): Promise<string> {
    const config = consumerAppOptions(options);
    if (this.nodes.size === 0) throw new Error('startConsumer: the cluster is not running');
    const id = `consumer-${++this.consumerCount}`;
    const worker = new Worker(new URL('../workers/client.worker.ts', import.meta.url), { type: 'module', name: id });
    const api = Comlink.wrap<ClientWorkerApi>(worker);
    const client: ClientHandle = { id, kind: 'consumer', worker, api, abortStart: null };
    this.clients.set(id, client);
    for (const node of this.nodes.values()) if (node.role === 'broker' && node.api) this.connectClient(api, id, node.api, node.address);
    if (this.cut) void api.block(this.brokersCutFromClients());
    const events = new MessageChannel();
    events.port1.onmessage = (event: MessageEvent<ClusterEvent[]>) => this.onEvents(event.data);
    this.emit({ type: 'client-started', time: this.now(), client: id, kind: 'consumer', groupId: config.groupId, topics: config.topics, config: { ...config } });
    const ended = new Promise<never>((_, reject) => {
      client.abortStart = () => reject(new Error(`startConsumer: ${id} was stopped or killed before it had started`));
    });
    try {
      await Promise.race([api.start({ address: id, anchor: this.anchor, options: config }, Comlink.transfer(events.port2, [events.port2])), ended]);
    } catch (error) {
      // It could not even connect or subscribe: nothing of it stays running.
      if (client.worker) this.endClient(client, 'client-stopped');
      throw error;
    } finally {
      client.abortStart = null;
    }
    return id;
  }

  private requireClient(id: string): ClientHandle {
    const client = this.clients.get(id);
    if (!client) throw new Error(`There is no client application "${id}" (clients: ${[...this.clients.keys()].join(', ') || 'none'})`);
    return client;
  }

  /**
   * Stops a client application cleanly: its consumer finishes the record in hand, commits and
   * leaves its group (LeaveGroup), so the group rebalances at once; then its worker ends.
   */
  async stopClient(id: string): Promise<void> {
    const client = this.requireClient(id);
    if (!client.api) return;
    const api = client.api;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A coordinator across a cut may never answer: after a while the application is ended anyway.
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, CLIENT_STOP_TIMEOUT_MS); });
    try {
      await Promise.race([api.stop().catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (client.api === api) this.endClient(client, 'client-stopped');
  }

  /**
   * Crashes a client application: worker.terminate(), as kill -9. Its connections reset (the
   * brokers are told), but no LeaveGroup is sent: its group finds out only when
   * session.timeout.ms passes without a heartbeat.
   */
  killClient(id: string): void {
    const client = this.requireClient(id);
    if (client.worker) this.endClient(client, 'client-killed');
  }

  private endClient(client: ClientHandle, type: 'client-stopped' | 'client-killed'): void {
    client.abortStart?.();
    client.worker?.terminate();
    client.worker = null;
    client.api = null;
    for (const node of this.nodes.values()) if (node.role === 'broker') void node.api?.peerDown(client.id);
    this.emit({ type, time: this.now(), client: client.id });
  }

  private clientContext(address: string): ClientContext {
    return {
      transport: this.hub.transport(address), clock: this.clientClock, random: { next: Math.random },
      events: (event) => this.onEvents([event]),
      bootstrapBrokers: () => [...this.nodes.values()].filter((n) => n.role === 'broker' && n.worker).map((n) => n.id),
    };
  }

  /** A KafkaJS-shaped client on the page, bound to this cluster. */
  kafka(config: KafkaConfig = {}): Kafka {
    const address = `client-${++this.clientCount}`;
    return new Kafka({ clientId: config.clientId ?? address, ...config }, this.clientContext(address));
  }

  private toolCluster: Cluster | null = null;

  /**
   * One request any live broker answers, as Kafka's command-line tools send them with their own
   * client (kafka-leader-election.sh: ElectLeaders, which the broker forwards to the controller).
   * KafkaJS's admin has no such method, so this does not go through it.
   */
  requestAnyBroker<K extends ApiKey>(api: K, body: RequestOf<K>, timeoutMs: number): Promise<ResponseOf<K>> {
    if (!this.toolCluster) {
      const address = `client-${++this.clientCount}`;
      const context = this.clientContext(address);
      const retry = retryPolicy();
      this.toolCluster = new Cluster({
        context, rpc: new Rpc(context.transport, context.clock, context.events), clientId: 'kafka-tools',
        requestTimeout: timeoutMs, connectionTimeout: timeoutMs, retry,
      }, retry);
    }
    return this.toolCluster.requestAnyBroker(api, body, timeoutMs);
  }
}
