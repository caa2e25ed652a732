/**
 * The only ways the pure core (src/kafka) touches the outside world. Each port has a
 * browser adapter (src/runtime) and an in-process one (src/sim). What a port does NOT
 * guarantee is written here, because the core must be correct without it.
 */

/** A node's address on the network: `broker-1`, `controller-100`, `client-7`. */
export type Address = string;

export interface Transport {
  /** This node's own address. */
  readonly self: Address;
  /**
   * Hands a message to the network. Fire and forget: delivery is NOT guaranteed (the peer
   * may be dead, the link cut) and nothing reports a loss; callers rely on timeouts.
   * Order IS kept between one sender and one receiver (a MessageChannel is FIFO), but not
   * across different peers. `transfer` buffers are moved, not copied: do not touch them after.
   */
  send(to: Address, message: unknown, transfer?: ArrayBuffer[]): void;
  /** Registers the single receive handler. Messages may arrive after the node is stopped. */
  onReceive(handler: (from: Address, message: unknown) => void): void;
  /**
   * Registers a handler for peers whose process died, as a TCP reset tells a Kafka client at
   * once. NOT called for a network cut or a lost message: those are only noticed by timeouts.
   */
  onPeerDown?(handler: (peer: Address) => void): void;
}

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds on the cluster's clock. Monotonic within a node, NOT synchronized across nodes. */
  now(): number;
  /** Runs `callback` once after `delayMs` of cluster time. NOT exact: may run late, never early. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
}

export interface Random {
  /** Uniform in [0, 1). Seeded in simulations, so a run replays exactly. */
  next(): number;
}

/** One stored record batch: the Kafka v2 bytes and the offsets it covers. */
export interface StoredBatch {
  baseOffset: number;
  /** Logical segment this batch belongs to (its base offset), as Kafka's LogSegment files. */
  segmentBase: number;
  bytes: Uint8Array;
}

/**
 * Durable storage of partition logs, one value per record batch (never one per record:
 * IndexedDB tops out near 12k small values a second).
 * A resolved promise means durable. Does NOT validate contents: a stored batch may come back
 * corrupt or partial (a crash mid-write, a tampered store), so recovery checks every CRC.
 * Concurrent writes to the same partition are NOT ordered: callers serialize per partition.
 */
export interface LogStore {
  /** Partitions ("topic-partition" names) that have any stored batch. */
  listPartitions(): Promise<string[]>;
  /** Every stored batch of a partition, ordered by baseOffset. */
  readPartition(partition: string): Promise<StoredBatch[]>;
  /** Appends batches in one write (one IndexedDB transaction): all durable, or none. */
  append(partition: string, batches: StoredBatch[]): Promise<void>;
  /** Deletes every batch with baseOffset >= offset (truncation after a bad tail or a failover). */
  truncateFrom(partition: string, offset: number): Promise<void>;
  /** Deletes every batch with baseOffset < offset (retention, whole segments). */
  deleteBefore(partition: string, offset: number): Promise<void>;
  deletePartition(partition: string): Promise<void>;
}

/**
 * Small durable key-value state: a broker's checkpoints, a controller's quorum state.
 * A resolved put is durable. Values are structured-cloneable plain data.
 */
export interface MetaStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Where a node reports what it did; the UI draws only from these. */
export type EventSink = (event: import('./events').NodeEvent) => void;

/** Everything a node needs from its runtime. */
export interface NodeContext {
  transport: Transport;
  clock: Clock;
  random: Random;
  logStore: LogStore;
  metaStore: MetaStore;
  events: EventSink;
}
