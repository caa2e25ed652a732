import * as Comlink from 'comlink';
import { DEFAULT_BROKER_CONFIG, DEFAULT_CONTROLLER_CONFIG, brokerAddress, controllerAddress } from '../kafka/config';
import type { NodeRole } from '../kafka/events';
import type { TimerHandle } from '../kafka/ports';
import { Kafka, type ClientContext, type KafkaConfig } from '../kafka/client/kafka';
import { Cluster } from '../kafka/client/cluster';
import { retryPolicy } from '../kafka/client/retry';
import { Rpc } from '../kafka/common/rpc';
import type { ApiKey, RequestOf, ResponseOf } from '../kafka/protocol/messages';
import type { NodeInit, NodeWorkerApi } from '../runtime/nodeRuntime';
import { consumerAppOptions, type ClientInit, type ClientWorkerApi } from '../runtime/clientRuntime';
import { producerAppOptions } from '../runtime/producerApp';
import { inboxStep, type HeldSummary, type SteppedMessage } from '../runtime/timeOps';
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

/** A client application in its own worker (cluster.startConsumer / startProducer); `id` is also its network address. */
interface ClientHandle {
  id: string; kind: 'consumer' | 'producer';
  worker: Worker | null; api: Comlink.Remote<ClientWorkerApi> | null;
  /** Set while start() runs: a worker terminated then never answers, so its start is failed here. */
  abortStart: (() => void) | null;
}

/** How long stopClient waits for the application to leave its group before terminating it anyway. */
const CLIENT_STOP_TIMEOUT_MS = 30_000;

/** The speeds the cluster clock may run at (the UI offers 0.1× to 10×); pause is separate. */
export const MIN_SPEED = 0.1;
export const MAX_SPEED = 10;
/**
 * A step with no message held anywhere moves the cluster clock this far (cluster milliseconds),
 * running the timers due by then (heartbeats, fetch waits, linger.ms, timeouts): small enough
 * that one step is one heartbeat or one fetch wait at most, large enough that a few steps show
 * something happen.
 */
export const STEP_TICK_MS = 50;
/** The visual mode's default per-hop latency, in cluster milliseconds. */
export const DEFAULT_VISUAL_LATENCY_MS = 200;
/**
 * The highest visual latency accepted. A broker's BrokerHeartbeat gives up after
 * broker.heartbeat.interval.ms (1000 here), so a round trip (two hops) must fit in it with room to
 * spare: at 500 ms per hop every heartbeat times out and the controller fences the brokers. For
 * slower flows, lower the speed: at 0.25× a 200 ms hop takes 0.8 s of wall time.
 */
export const MAX_VISUAL_LATENCY_MS = 300;

/** What one step did: delivered one held message, or (none held) moved the clock by STEP_TICK_MS. */
export interface StepResult {
  delivered: SteppedMessage | null;
  /** Cluster milliseconds the clock moved (0 when a message was delivered). */
  advancedMs: number;
  /** Messages still held after the step, across every worker and the page. */
  held: number;
}

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
  private anchor: TimeAnchor = { wallMs: wallNow(), clusterMs: Date.now(), speed: 1 };
  private readonly clientClock = new ScaledClock(this.anchor);
  private readonly hub = new ClientHub(this.clientClock);
  /** The chosen speed; the clock runs at it unless paused (anchor speed 0). */
  private chosenSpeed = 1;
  /** Paused: the clock's anchor stands still (setSpeed(0) pauses too). */
  private get paused(): boolean {
    return this.anchor.speed === 0;
  }
  private latencyMs = 0;
  /** Steps run one after another, however fast they are asked for. */
  private stepping: Promise<unknown> = Promise.resolve();
  private clientCount = 0;
  /** Client applications, each in its own worker, by id ('consumer-1'). Killed or stopped ones stay, without a worker. */
  private readonly clients = new Map<string, ClientHandle>();
  private consumerCount = 0;
  private producerCount = 0;
  private releaseLock: (() => void) | null = null;
  private shape: ClusterShape = DEFAULT_SHAPE;
  /** The network partition injected now (null: every node reaches every other). */
  private cut: NetworkCut | null = null;
  private readonly handover = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(HANDOVER_CHANNEL);
  /** Set when another tab took the cluster over: this page's nodes are gone. */
  onTakenOver: (() => void) | null = null;

  constructor(private readonly clusterName: string, private readonly onEvents: (events: ClusterEvent[]) => void) {}

  /** The chosen speed (also while paused: the speed play resumes at). */
  get speed(): number {
    return this.chosenSpeed;
  }

  /** Per-hop visual latency in cluster milliseconds (0: visual mode off). */
  get visualLatency(): number {
    return this.latencyMs;
  }

  now(): number {
    return this.clientClock.now();
  }

  /** A timer on the cluster clock (it slows down, speeds up and stops with it), for the page's own scripts. */
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    return this.clientClock.setTimer(delayMs, callback);
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
      return { role: 'controller', address: node.address, database, anchor: this.anchor, latencyMs: this.latencyMs, config: { ...DEFAULT_CONTROLLER_CONFIG, 'cluster.id': this.clusterId(), 'node.id': node.id, 'controller.quorum.voters': voters } };
    }
    return {
      role: 'broker', address: node.address, database, anchor: this.anchor, latencyMs: this.latencyMs,
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
    // A fresh cluster starts playing: paused, it could not even elect its controller.
    if (this.paused) this.resume();
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

  /**
   * The cluster clock's speed for every node and client (MIN_SPEED..MAX_SPEED); cluster time
   * stays continuous. Every Kafka timeout runs on this clock, so at 0.25× a 10 s session timeout
   * takes 40 s of wall time: slowing down changes how fast things happen, never what happens.
   * setSpeed(0) pauses (as pause()); while paused another speed is only remembered for resume().
   */
  setSpeed(speed: number): void {
    if (speed === 0) return this.pause();
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
      throw new Error(`setSpeed: speed must be 0 (pause) or between ${MIN_SPEED} and ${MAX_SPEED}, got ${JSON.stringify(speed)}`);
    }
    this.chosenSpeed = speed;
    if (!this.paused) this.setAnchor(speed);
    this.emit({ type: 'speed-changed', time: this.now(), speed });
  }

  isPaused(): boolean {
    return this.paused;
  }

  /**
   * Stops the cluster clock (every timer, everywhere) and delivery: each worker's transport and
   * the page's client hub hold what arrives, in arrival order per link, until resume() or step().
   * Work already under way (an IndexedDB write, a handler running) finishes; what it sends is held.
   */
  pause(): void {
    if (this.paused) return;
    this.setAnchor(0);
    this.emit({ type: 'time-paused', time: this.now() });
  }

  /** Runs the clock again at the chosen speed and delivers what was held (what is due, oldest first). */
  resume(): void {
    if (!this.paused) return;
    this.setAnchor(this.chosenSpeed);
    this.emit({ type: 'time-resumed', time: this.now(), speed: this.chosenSpeed });
  }

  /**
   * One step (pausing first if playing): asks every worker and the page's hub for the send time
   * of its oldest held message and delivers the earliest one, whatever its visual latency; what
   * its receiver sends in reaction is held in turn. With nothing held anywhere, the cluster clock
   * moves STEP_TICK_MS instead, so the timers due by then fire (a heartbeat, a linger.ms, a
   * fetch's max wait), and stays paused. Steps asked for together run one after another.
   */
  step(): Promise<StepResult> {
    const next = this.stepping.then(() => this.stepOnce());
    this.stepping = next.catch(() => undefined);
    return next;
  }

  private async stepOnce(): Promise<StepResult> {
    this.pause();
    const targets = this.timeTargets();
    const summaries = await this.heldBy(targets);
    let held = 0;
    let earliest = -1;
    summaries.forEach((summary, i) => {
      held += summary.count;
      if (summary.oldest !== null && (earliest < 0 || summary.oldest < summaries[earliest].oldest!)) earliest = i;
    });
    if (earliest >= 0) {
      const delivered = await targets[earliest].deliverOldest().catch(() => null);
      if (delivered) {
        const result = { delivered, advancedMs: 0, held: held - 1 };
        this.emit({ type: 'time-stepped', time: this.now(), ...result });
        return result;
      }
    }
    const clusterMs = this.clientClock.now() + STEP_TICK_MS;
    this.anchor = { wallMs: wallNow(), clusterMs, speed: 0 };
    this.broadcastTime();
    const result = { delivered: null, advancedMs: STEP_TICK_MS, held };
    this.emit({ type: 'time-stepped', time: this.now(), ...result });
    return result;
  }

  /** Messages held now (paused, or waiting out the visual latency), across every worker and the page. */
  async heldMessages(): Promise<number> {
    return (await this.heldBy(this.timeTargets())).reduce((n, s) => n + s.count, 0);
  }

  /** What each target holds (one that cannot answer, a worker just killed, holds nothing). */
  private heldBy(targets: ReturnType<ClusterHost['timeTargets']>): Promise<HeldSummary[]> {
    return Promise.all(targets.map((t) => t.held().catch((): HeldSummary => ({ count: 0, oldest: null }))));
  }

  /**
   * Visual mode: every hop (node to node, client to broker and back) takes `ms` more of cluster
   * time, added by the receiving transport before delivery, so a single record can be followed
   * by eye; 0 turns it off. FIFO per link is kept. 0..MAX_VISUAL_LATENCY_MS.
   */
  setVisualLatency(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_VISUAL_LATENCY_MS) {
      throw new Error(`setVisualLatency: latency must be a number of cluster milliseconds between 0 (off) and ${MAX_VISUAL_LATENCY_MS}, got ${JSON.stringify(ms)}`);
    }
    this.latencyMs = ms;
    this.hub.inbox.setLatency(ms);
    for (const node of this.nodes.values()) void node.api?.setLatency(ms);
    for (const client of this.clients.values()) void client.api?.setLatency(ms);
    this.emit({ type: 'latency-changed', time: this.now(), latencyMs: ms });
  }

  /** Everyone who holds messages: the page's hub, every live node and client worker. */
  private timeTargets(): { held(): Promise<HeldSummary>; deliverOldest(): Promise<SteppedMessage | null> }[] {
    const step = inboxStep(this.hub.inbox);
    const hub = { held: async () => step.held(), deliverOldest: async () => step.deliverOldest() };
    const workers = [...this.nodes.values(), ...this.clients.values()].flatMap((w) => (w.api ? [w.api] : []));
    return [hub, ...workers.map((api) => ({ held: () => api.held(), deliverOldest: () => api.deliverOldest() }))];
  }

  /** A new anchor at `speed` (0: paused) from the current cluster time, told to everyone. */
  private setAnchor(speed: number): void {
    this.anchor = { wallMs: wallNow(), clusterMs: this.clientClock.now(), speed };
    this.broadcastTime();
  }

  private broadcastTime(): void {
    this.clientClock.setAnchor(this.anchor);
    this.hub.inbox.setPaused(this.anchor.speed <= 0);
    for (const node of this.nodes.values()) void node.api?.setTime(this.anchor);
    for (const client of this.clients.values()) void client.api?.setTime(this.anchor);
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
    this.emit({ type: 'client-started', time: this.now(), client: id, kind: 'consumer', groupId: config.groupId, topics: config.topics, config: { ...config } });
    await this.startClient(id, { kind: 'consumer', options: config }, 'startConsumer');
    return id;
  }

  /**
   * Starts a producer application in its own Web Worker: a KafkaJS producer that sends
   * `ratePerSec` records a second of cluster time to `topic` (so it slows down and pauses with
   * the clock), and reports what was acknowledged as producer-sent events. Resolves with its id
   * ('producer-1') once it is connected (and, if idempotent, has its producer id).
   */
  async startProducer(options: unknown): Promise<string> {
    const config = producerAppOptions(options);
    if (this.nodes.size === 0) throw new Error('startProducer: the cluster is not running');
    const id = `producer-${++this.producerCount}`;
    this.emit({ type: 'client-started', time: this.now(), client: id, kind: 'producer', topics: [config.topic], config: { ...config } });
    await this.startClient(id, { kind: 'producer', options: config }, 'startProducer');
    return id;
  }

  private async startClient(id: string, app: Pick<ClientInit, 'kind' | 'options'>, caller: string): Promise<void> {
    const worker = new Worker(new URL('../workers/client.worker.ts', import.meta.url), { type: 'module', name: id });
    const api = Comlink.wrap<ClientWorkerApi>(worker);
    const client: ClientHandle = { id, kind: app.kind, worker, api, abortStart: null };
    this.clients.set(id, client);
    for (const node of this.nodes.values()) if (node.role === 'broker' && node.api) this.connectClient(api, id, node.api, node.address);
    if (this.cut) void api.block(this.brokersCutFromClients());
    const events = new MessageChannel();
    events.port1.onmessage = (event: MessageEvent<ClusterEvent[]>) => this.onEvents(event.data);
    const ended = new Promise<never>((_, reject) => {
      client.abortStart = () => reject(new Error(`${caller}: ${id} was stopped or killed before it had started`));
    });
    const init = { address: id, anchor: this.anchor, latencyMs: this.latencyMs, ...app } as ClientInit;
    try {
      await Promise.race([api.start(init, Comlink.transfer(events.port2, [events.port2])), ended]);
    } catch (error) {
      // It could not even connect or subscribe: nothing of it stays running.
      if (client.worker) this.endClient(client, 'client-stopped');
      throw error;
    } finally {
      client.abortStart = null;
    }
  }

  private requireClient(id: string): ClientHandle {
    const client = this.clients.get(id);
    if (!client) throw new Error(`There is no client application "${id}" (clients: ${[...this.clients.keys()].join(', ') || 'none'})`);
    return client;
  }

  /**
   * Stops a client application cleanly: a consumer finishes the record in hand, commits and
   * leaves its group (LeaveGroup), so the group rebalances at once; a producer stops sending and
   * waits for what it has in flight. Then its worker ends.
   */
  async stopClient(id: string): Promise<void> {
    const client = this.requireClient(id);
    if (!client.api) return;
    const api = client.api;
    // A coordinator across a cut may never answer: after a while (of cluster time) the application
    // is ended anyway, and that is a kill, since it never left its group.
    let timedOut = false;
    let timer: { cancel(): void } | undefined;
    const timeout = new Promise<void>((resolve) => { timer = this.clientClock.setTimer(CLIENT_STOP_TIMEOUT_MS, () => { timedOut = true; resolve(); }); });
    try {
      await Promise.race([api.stop().catch(() => undefined), timeout]);
    } finally {
      timer?.cancel();
    }
    if (client.api === api) this.endClient(client, timedOut ? 'client-killed' : 'client-stopped');
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
    this.emit({ type, time: this.now(), client: client.id, kind: client.kind });
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
