/**
 * The books of an experiment: every record the producer had acknowledged (with its partition
 * and offset, as the broker answered), every failed send by Kafka error name, and every record
 * a consumer was delivered. From them, the counters the claims are judged by:
 *
 * - acknowledged: records the producer was told are written;
 * - delivered: distinct produced records a consumer got;
 * - lost: acknowledged and never delivered;
 * - duplicated: records delivered at two offsets or more (written twice: a retry after a lost answer);
 * - reprocessed: offsets delivered more than once (a consumer resuming from an older commit).
 *
 * Pure: the runner feeds it, the tests feed it by hand.
 */

export interface RecordAt { partition: number; offset: number }

export interface Counters {
  acknowledged: number;
  /** Sends that failed for good, by the error's Kafka name (NOT_ENOUGH_REPLICAS, ...). */
  failed: number;
  delivered: number;
  /** null until every partition has been read to its end (lost is only known then). */
  lost: number | null;
  duplicated: number;
  reprocessed: number;
  /** A few of the lost and duplicated values, for the UI to show. */
  lostValues: string[];
  duplicatedValues: string[];
}

const key = (partition: number, offset: number): string => `${partition}:${offset}`;

export class Ledger {
  /** By value: where the producer was told it was written. */
  private readonly acked = new Map<string, RecordAt>();
  /** What each offset holds, from acknowledgements and from reading the log. */
  private readonly valueAt = new Map<string, string>();
  readonly errors: Record<string, number> = {};
  /** Per value, the offsets it was delivered at; per offset, how many times. */
  private readonly deliveredAt = new Map<string, Set<string>>();
  private readonly deliveries = new Map<string, number>();
  /** Offsets delivered whose value is not known yet (a consumer reports offsets only). */
  private readonly unknown = new Set<string>();
  private readComplete = false;

  constructor(private readonly prefix: string) {}

  /** A value this run produces: '<prefix>-<n>'. */
  valueFor(n: number): string {
    return `${this.prefix}-${n}`;
  }

  ours(value: string): boolean {
    return value.startsWith(`${this.prefix}-`);
  }

  ack(value: string, at: RecordAt): void {
    this.acked.set(value, at);
    this.learn(at.partition, at.offset, value);
  }

  fail(error: string): void {
    this.errors[error] = (this.errors[error] ?? 0) + 1;
  }

  get acknowledged(): number {
    return this.acked.size;
  }

  /** One past the highest offset acknowledged on a partition (0: none). */
  ackedEnd(partition: number): number {
    let end = 0;
    for (const at of this.acked.values()) if (at.partition === partition) end = Math.max(end, at.offset + 1);
    return end;
  }

  /** Whether an acknowledged value is known. */
  isAcked(value: string): boolean {
    return this.acked.has(value);
  }

  private learn(partition: number, offset: number, value: string): void {
    const k = key(partition, offset);
    this.valueAt.set(k, value);
    if (this.unknown.delete(k)) this.place(value, k);
  }

  private place(value: string, k: string): void {
    if (!this.ours(value)) return;
    let offsets = this.deliveredAt.get(value);
    if (!offsets) this.deliveredAt.set(value, offsets = new Set());
    offsets.add(k);
  }

  /** A consumer was delivered the record at (partition, offset): its value is looked up when known. */
  deliverOffset(partition: number, offset: number, value?: string): void {
    const k = key(partition, offset);
    this.deliveries.set(k, (this.deliveries.get(k) ?? 0) + 1);
    if (value !== undefined) this.valueAt.set(k, value);
    const known = value ?? this.valueAt.get(k);
    if (known === undefined) this.unknown.add(k);
    else this.place(known, k);
  }

  /**
   * A reader went through the whole log (every partition to its high watermark): each record
   * read is a delivery, and from now on `lost` is known.
   */
  readAll(records: readonly { partition: number; offset: number; value: string }[]): void {
    for (const r of records) this.deliverOffset(r.partition, r.offset, r.value);
    this.readComplete = true;
  }

  /** The log as read: what each offset holds (for the learner to see a duplicate's two offsets). */
  offsetsOf(value: string): RecordAt[] {
    return [...(this.deliveredAt.get(value) ?? [])].map((k) => {
      const [partition, offset] = k.split(':').map(Number);
      return { partition, offset };
    }).sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  counters(options: { lostKnown?: boolean } = {}): Counters {
    const lostKnown = options.lostKnown ?? this.readComplete;
    const lostValues = [...this.acked.keys()].filter((v) => !this.deliveredAt.has(v));
    const duplicatedValues = [...this.deliveredAt].filter(([, offsets]) => offsets.size > 1).map(([v]) => v);
    return {
      acknowledged: this.acked.size,
      failed: Object.values(this.errors).reduce((a, b) => a + b, 0),
      delivered: this.deliveredAt.size,
      lost: lostKnown ? lostValues.length : null,
      duplicated: duplicatedValues.length,
      reprocessed: [...this.deliveries.values()].filter((n) => n > 1).length,
      lostValues: lostKnown ? lostValues.slice(0, 5) : [],
      duplicatedValues: duplicatedValues.slice(0, 5),
    };
  }
}
