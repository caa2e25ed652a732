import type { LogStore, StoredBatch } from '../ports';
import { KafkaProtocolError } from '../protocol/errors';
import { SerialQueue, concatBytes, topicPartitionName } from '../common/serial';
import { readBatchHeader, scanBatches, setBaseOffset, setPartitionLeaderEpoch, verifyBatchCrc, type BatchHeader } from './recordBatch';

/** The topic configs a log acts on itself, with Kafka's names in the comments. */
export interface LogConfig {
  /** segment.bytes: a segment rolls once it holds this many bytes. Kafka's default is 1 GiB. */
  segmentBytes: number;
  /** segment.ms: a segment rolls once a batch is this much newer than the segment's first one (7 days). */
  segmentMs: number;
  /** retention.ms: a closed segment whose newest record is older than this is deleted; -1: never. */
  retentionMs: number;
  /** retention.bytes: closed segments are deleted, oldest first, while the log stays at least this large; -1: no limit. */
  retentionBytes: number;
  /** cleanup.policy includes delete: retention applies. */
  deleteRetention: boolean;
}
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_LOG_CONFIG: LogConfig = { segmentBytes: 1024 * 1024 * 1024, segmentMs: WEEK_MS, retentionMs: WEEK_MS, retentionBytes: -1, deleteRetention: true };

/** A log's configs as a value, or read at each use (a topic's configs may change while the log lives). */
export type LogConfigSource = Partial<LogConfig> | (() => LogConfig);

/** What one retention pass deleted: whole segments below `to`, the new log start offset. */
export interface RetentionResult {
  from: number; to: number; segments: number; bytes: number;
  /** The configs that made segments deletable. */
  reasons: ('retention.ms' | 'retention.bytes')[];
}

export interface LogBatch { baseOffset: number; lastOffset: number; bytes: Uint8Array; header: BatchHeader }

/** A LogSegment: the batches from its base offset up to the next segment's base offset. */
export interface LogSegment { baseOffset: number; batches: LogBatch[]; sizeInBytes: number }

export interface RecoveryResult { batches: number; bytes: number; truncated?: { at: number; reason: string } }

export interface AppendInfo { firstOffset: number; lastOffset: number; records: number; bytes: number; batches: LogBatch[] }

/**
 * One partition replica's log, as Kafka's UnifiedLog: segments of v2 record batches, the
 * durable copy in a LogStore (one value per batch) and an in-memory index of it.
 * Every mutation goes through one queue so writes to the store never interleave.
 */
export class UnifiedLog {
  readonly segments: LogSegment[] = [];
  private _logStartOffset = 0;
  private _logEndOffset = 0;
  private readonly queue = new SerialQueue();
  /**
   * State derived from the batches (an idempotent producer's sequences) is updated inside the
   * write queue, so the next append's checks always see the previous append.
   */
  listener: {
    appended(batches: readonly LogBatch[]): void;
    truncated(removedRecords: boolean, emptied?: boolean): void;
    /** The log start offset is about to move to `offset`: made durable before any record goes (Kafka's log-start-offset-checkpoint). */
    logStartMoving?(offset: number): Promise<void>;
  } | null = null;

  private readonly config: () => LogConfig;

  private constructor(readonly topic: string, readonly partition: number, private readonly store: LogStore, config: LogConfigSource) {
    this.config = typeof config === 'function' ? config : () => ({ ...DEFAULT_LOG_CONFIG, ...config });
  }

  get name(): string {
    return topicPartitionName(this.topic, this.partition);
  }
  /** The first offset still in the log. */
  get logStartOffset(): number {
    return this._logStartOffset;
  }
  /** The offset the next record will get (LEO). */
  get logEndOffset(): number {
    return this._logEndOffset;
  }
  get sizeInBytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.sizeInBytes, 0);
  }

  static empty(topic: string, partition: number, store: LogStore, config: LogConfigSource = DEFAULT_LOG_CONFIG): UnifiedLog {
    return new UnifiedLog(topic, partition, store, config);
  }

  /**
   * Rebuilds the log from the store after a restart. Checks every batch (magic, length, CRC-32C,
   * contiguous offsets) and truncates the log at the first bad or partial one, as Kafka's log
   * recovery does after an unclean shutdown: what follows a bad batch cannot be trusted.
   */
  static async recover(topic: string, partition: number, store: LogStore, config: LogConfigSource = DEFAULT_LOG_CONFIG): Promise<{ log: UnifiedLog; result: RecoveryResult }> {
    const log = new UnifiedLog(topic, partition, store, config);
    const stored = await store.readPartition(log.name);
    const result: RecoveryResult = { batches: 0, bytes: 0 };
    let expected: number | null = null;
    for (const batch of stored) {
      const problem = checkStoredBatch(batch, expected);
      if (problem) {
        result.truncated = { at: batch.baseOffset, reason: problem };
        await store.truncateFrom(log.name, batch.baseOffset);
        break;
      }
      const header = readBatchHeader(batch.bytes);
      if (expected === null) {
        log._logStartOffset = header.baseOffset;
        log._logEndOffset = header.baseOffset;
      }
      log.place({ baseOffset: header.baseOffset, lastOffset: header.lastOffset, bytes: batch.bytes, header }, batch.segmentBase);
      expected = header.lastOffset + 1;
      result.batches++;
      result.bytes += batch.bytes.byteLength;
    }
    return { log, result };
  }

  /**
   * Appends producer batches as the partition leader: validates each (CRC, magic), assigns
   * offsets from the log end and stamps the leader epoch (both outside the CRC, as in Kafka),
   * and resolves only once the store has them. A function epoch is read when the write's turn
   * comes, and may throw to refuse it. `beforeAppend` sees the batches at that turn too (the
   * idempotent producer's sequence check) and may answer with an earlier append instead.
   */
  appendAsLeader(records: Uint8Array, leaderEpoch: number | (() => number), beforeAppend?: (headers: BatchHeader[]) => AppendInfo | null): Promise<AppendInfo> {
    return this.queue.run(async () => {
      const epoch = typeof leaderEpoch === 'function' ? leaderEpoch() : leaderEpoch;
      const scan = scanBatches(records);
      if (scan.error || scan.validBytes !== records.byteLength || scan.batches.length === 0) {
        throw new KafkaProtocolError('CORRUPT_MESSAGE', scan.error ?? 'no record batch in the request');
      }
      const earlier = beforeAppend?.(scan.batches.map((b) => b.header));
      if (earlier) return earlier;
      let next = this._logEndOffset;
      const batches: LogBatch[] = [];
      for (const { at, header } of scan.batches) {
        // Copy each batch into its own buffer: it is stored and later sent on its own.
        const bytes = records.slice(at, at + header.sizeInBytes);
        setBaseOffset(bytes, next);
        setPartitionLeaderEpoch(bytes, epoch);
        const stamped = readBatchHeader(bytes);
        batches.push({ baseOffset: next, lastOffset: stamped.lastOffset, bytes, header: stamped });
        next = stamped.lastOffset + 1;
      }
      return this.persist(batches);
    });
  }

  /**
   * Appends batches fetched from the leader as they are: offsets and leader epochs were set by
   * the leader. They must continue this log exactly; `guard` runs at the write's turn and
   * throws if this replica stopped following that leader meanwhile (a stale fetch response).
   */
  appendAsFollower(records: Uint8Array, guard: () => void): Promise<AppendInfo | null> {
    return this.queue.run(async () => {
      guard();
      const scan = scanBatches(records);
      if (scan.error) throw new KafkaProtocolError('CORRUPT_MESSAGE', scan.error);
      const batches: LogBatch[] = [];
      let next = this._logEndOffset;
      for (const { at, header } of scan.batches) {
        if (header.lastOffset < next) continue; // already have it
        // An empty log whose start lies inside the leader's batch (DeleteRecords mid-batch) takes that batch whole.
        const startsInside = this.segments.length === 0 && batches.length === 0 && header.baseOffset < next;
        if (header.baseOffset !== next && !startsInside) throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE', `fetched batch at ${header.baseOffset} does not continue ${this.name} at ${next}`);
        const bytes = records.slice(at, at + header.sizeInBytes);
        if (!verifyBatchCrc(bytes)) throw new KafkaProtocolError('CORRUPT_MESSAGE', `CRC-32C mismatch in fetched batch at ${header.baseOffset}`);
        batches.push({ baseOffset: header.baseOffset, lastOffset: header.lastOffset, bytes, header });
        next = header.lastOffset + 1;
      }
      return batches.length > 0 ? this.persist(batches) : null;
    });
  }

  /** Runs `fn` in the log's write queue: after every write queued before, before every write queued after. */
  exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.queue.run(async () => fn());
  }

  /** Reads whole batches holding offsets from `fetchOffset` below `maxOffset`, up to about maxBytes (at least one batch). */
  read(fetchOffset: number, maxOffset: number, maxBytes: number): { bytes: Uint8Array; batches: number } {
    if (fetchOffset < this._logStartOffset || fetchOffset > this._logEndOffset) {
      throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE', `offset ${fetchOffset} is outside [${this._logStartOffset}, ${this._logEndOffset}] of ${this.name}`);
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    for (const batch of this.batchesFrom(fetchOffset)) {
      if (batch.baseOffset >= maxOffset) break;
      if (parts.length > 0 && size + batch.bytes.byteLength > maxBytes) break;
      parts.push(batch.bytes);
      size += batch.bytes.byteLength;
    }
    return { bytes: concatBytes(parts), batches: parts.length };
  }

  /** Batches whose last offset is at or after `offset`, in order. */
  *batchesFrom(offset: number): Iterable<LogBatch> {
    for (const segment of this.segments) {
      const last = segment.batches[segment.batches.length - 1];
      if (!last || last.lastOffset < offset) continue;
      for (const batch of segment.batches) if (batch.lastOffset >= offset) yield batch;
    }
  }

  /** The first batch whose last offset is at or after `offset` (without copying the rest of the log), or undefined. */
  private batchHolding(offset: number): LogBatch | undefined {
    for (const batch of this.batchesFrom(offset)) return batch;
    return undefined;
  }

  /** The first offset whose batch's max timestamp is >= timestamp (ListOffsets by time), or null. */
  offsetForTimestamp(timestamp: number): number | null {
    for (const batch of this.batchesFrom(this._logStartOffset)) {
      if (batch.header.maxTimestamp >= timestamp) return Math.max(batch.baseOffset, this._logStartOffset);
    }
    return null;
  }

  /**
   * Removes every record at or after `offset`; a batch is atomic, so one that holds `offset`
   * goes whole. `guard` runs at the write's turn and may throw to cancel (see appendAsFollower).
   */
  truncateTo(offset: number, guard?: () => void): Promise<void> {
    return this.queue.run(async () => {
      guard?.();
      // Nothing to cut, but an epoch that began at the log end without records may still go (as Kafka's truncateTo).
      if (offset >= this._logEndOffset) {
        this.listener?.truncated(false);
        return;
      }
      // Below the log start (an unclean leader with a shorter log): empty, and start over there, as Kafka does.
      if (offset < this._logStartOffset) {
        await this.emptyAndStartAt(offset);
        return;
      }
      const cut = this.batchHolding(offset)?.baseOffset ?? offset;
      await this.store.truncateFrom(this.name, cut);
      for (const segment of this.segments) segment.batches = segment.batches.filter((b) => b.baseOffset < cut);
      while (this.segments.length > 1 && this.segments[this.segments.length - 1].batches.length === 0) this.segments.pop();
      for (const segment of this.segments) segment.sizeInBytes = segment.batches.reduce((s, b) => s + b.bytes.byteLength, 0);
      const last = this.segments.at(-1)?.batches.at(-1);
      this._logEndOffset = Math.max(this._logStartOffset, last ? last.lastOffset + 1 : this._logStartOffset);
      this.listener?.truncated(true);
    });
  }

  /**
   * Drops whole batches that end before `offset` (a snapshot covers them) and moves the log
   * start offset there. Readers below it get OFFSET_OUT_OF_RANGE.
   */
  deleteBefore(offset: number, guard?: () => void): Promise<{ from: number; bytes: number } | null> {
    return this.queue.run(async () => {
      guard?.();
      if (offset <= this._logStartOffset) return null;
      const from = this._logStartOffset;
      const size = this.sizeInBytes;
      const firstKept = this.batchHolding(offset)?.baseOffset ?? this._logEndOffset;
      await this.listener?.logStartMoving?.(offset);
      await this.store.deleteBefore(this.name, firstKept);
      for (const segment of this.segments) segment.batches = segment.batches.filter((b) => b.baseOffset >= firstKept);
      while (this.segments.length > 0 && this.segments[0].batches.length === 0) this.segments.shift();
      for (const segment of this.segments) segment.sizeInBytes = segment.batches.reduce((sum, b) => sum + b.bytes.byteLength, 0);
      // Past the log end (a checkpoint of a log that was emptied to start there): an empty log at `offset`.
      if (this._logEndOffset < offset) this._logEndOffset = offset;
      this._logStartOffset = offset;
      return { from, bytes: size - this.sizeInBytes };
    });
  }

  /**
   * Kafka's deleteOldSegments for cleanup.policy=delete: deletes the oldest closed segments while
   * the newest record in one is older than retention.ms, or the log without it is still at least
   * retention.bytes. Only segments wholly below the high watermark go, so the log start never
   * passes it. The active segment stays (Kafka also rolls and deletes an expired active one;
   * here it waits for segment.bytes or segment.ms to roll it), so the log end survives a restart.
   */
  deleteRetentionBreachedSegments(now: number, highWatermark: number): Promise<RetentionResult | null> {
    return this.queue.run(async () => {
      const config = this.config();
      if (!config.deleteRetention) return null;
      let size = this.sizeInBytes;
      let count = 0;
      let bytes = 0;
      const reasons = new Set<RetentionResult['reasons'][number]>();
      for (; count < this.segments.length - 1; count++) {
        const segment = this.segments[count];
        if (this.segments[count + 1].baseOffset > highWatermark) break;
        const newest = segment.batches.reduce((max, b) => Math.max(max, b.header.maxTimestamp), -1);
        const byTime = config.retentionMs >= 0 && now - newest > config.retentionMs;
        const bySize = config.retentionBytes >= 0 && size - segment.sizeInBytes >= config.retentionBytes;
        if (!byTime && !bySize) break;
        if (byTime) reasons.add('retention.ms');
        if (bySize) reasons.add('retention.bytes');
        size -= segment.sizeInBytes;
        bytes += segment.sizeInBytes;
      }
      if (count === 0) return null;
      const from = this._logStartOffset;
      const to = this.segments[count].baseOffset;
      await this.listener?.logStartMoving?.(Math.max(from, to));
      await this.store.deleteBefore(this.name, to);
      this.segments.splice(0, count);
      this._logStartOffset = Math.max(from, to);
      return { from, to: this._logStartOffset, segments: count, bytes, reasons: [...reasons] };
    });
  }

  /**
   * Empties the log and starts it at `offset`: a replica that installs a snapshot, or a follower
   * whose log ends before the leader's log start (retention deleted what it would fetch next).
   * `guard` runs at the write's turn and may throw to cancel (see appendAsFollower).
   */
  truncateFullyAndStartAt(offset: number, guard?: () => void): Promise<void> {
    return this.queue.run(async () => {
      guard?.();
      await this.emptyAndStartAt(offset);
    });
  }

  /** In the write queue: the log start is durable first, then the store is emptied. */
  private async emptyAndStartAt(offset: number): Promise<void> {
    await this.listener?.logStartMoving?.(offset);
    await this.store.deletePartition(this.name);
    this.segments.length = 0;
    this._logStartOffset = offset;
    this._logEndOffset = offset;
    this.listener?.truncated(true, true);
  }

  /** Deletes the partition's stored data entirely (topic deletion). */
  delete(): Promise<void> {
    return this.queue.run(async () => {
      await this.store.deletePartition(this.name);
      this.segments.length = 0;
    });
  }

  private async persist(batches: LogBatch[]): Promise<AppendInfo> {
    const stored: StoredBatch[] = [];
    const segmentBases: number[] = [];
    const { segmentBytes, segmentMs } = this.config();
    const active = this.segments.at(-1);
    let segmentBase = active?.baseOffset ?? null;
    let segmentSize = active?.sizeInBytes ?? 0;
    // Kafka rolls by time from the segment's first batch's timestamp, against the new batch's.
    let segmentFirstTimestamp = active?.batches[0]?.header.maxTimestamp ?? -1;
    for (const batch of batches) {
      const full = segmentSize > 0 && segmentSize + batch.bytes.byteLength > segmentBytes;
      const old = segmentSize > 0 && segmentFirstTimestamp >= 0 && batch.header.maxTimestamp - segmentFirstTimestamp > segmentMs;
      if (segmentBase === null || full || old) {
        segmentBase = batch.baseOffset;
        segmentSize = 0;
        segmentFirstTimestamp = batch.header.maxTimestamp;
      }
      segmentSize += batch.bytes.byteLength;
      segmentBases.push(segmentBase);
      stored.push({ baseOffset: batch.baseOffset, segmentBase, bytes: batch.bytes });
    }
    // Durable first: nothing is visible (or acknowledged) before the store has it.
    await this.store.append(this.name, stored);
    batches.forEach((batch, i) => this.place(batch, segmentBases[i]));
    this.listener?.appended(batches);
    const last = batches[batches.length - 1];
    return {
      firstOffset: batches[0].baseOffset, lastOffset: last.lastOffset, batches,
      records: batches.reduce((s, b) => s + b.header.recordCount, 0),
      bytes: batches.reduce((s, b) => s + b.bytes.byteLength, 0),
    };
  }

  private place(batch: LogBatch, segmentBase: number): void {
    let segment = this.segments.at(-1);
    if (!segment || segment.baseOffset !== segmentBase) {
      segment = { baseOffset: segmentBase, batches: [], sizeInBytes: 0 };
      this.segments.push(segment);
    }
    segment.batches.push(batch);
    segment.sizeInBytes += batch.bytes.byteLength;
    this._logEndOffset = batch.lastOffset + 1;
  }
}

function checkStoredBatch(batch: StoredBatch, expected: number | null): string | null {
  let header: BatchHeader;
  try {
    header = readBatchHeader(batch.bytes);
  } catch (error) {
    return `unreadable batch header: ${(error as Error).message}`;
  }
  if (header.sizeInBytes !== batch.bytes.byteLength) return `partial batch: ${batch.bytes.byteLength} of ${header.sizeInBytes} bytes`;
  if (!verifyBatchCrc(batch.bytes)) return `CRC-32C mismatch in batch at offset ${header.baseOffset}`;
  if (header.baseOffset !== batch.baseOffset) return `batch stored at ${batch.baseOffset} says base offset ${header.baseOffset}`;
  if (expected !== null && header.baseOffset !== expected) return `gap: expected offset ${expected}, found ${header.baseOffset}`;
  return null;
}
