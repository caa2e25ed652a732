/** One entry of the cache: leader `epoch` wrote its first record at `startOffset`. */
export interface EpochEntry { epoch: number; startOffset: number }

/** Answer to "where does epoch E end?" (OffsetForLeaderEpoch): the largest epoch <= E and its end offset. */
export interface EpochEndOffset { leaderEpoch: number; endOffset: number }
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

/**
 * Kafka's LeaderEpochFileCache (KIP-101): for each leader epoch, the first offset written in
 * it. A replica that follows a new leader asks where its own last epoch ends in the leader's
 * log and truncates there, so history that diverged after a failover never survives.
 * Pure: the owner checkpoints `entries` whenever `assign` or a truncation reports a change.
 */
export class LeaderEpochCache {
  private list: EpochEntry[];

  constructor(entries: readonly EpochEntry[] = []) {
    this.list = entries.map((e) => ({ ...e }));
  }

  get entries(): readonly EpochEntry[] {
    return this.list;
  }

  get latestEpoch(): number {
    return this.list.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  /**
   * Records that `epoch` starts at `startOffset`. Ignored unless the epoch is newer than the
   * latest (a batch of an epoch already known changes nothing). Entries at or after the start
   * offset are dropped: they can no longer be true. Returns whether anything changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0) return false;
    const latest = this.list.at(-1);
    if (latest && latest.epoch >= epoch) return false;
    this.list = this.list.filter((e) => e.startOffset < startOffset);
    this.list.push({ epoch, startOffset });
    return true;
  }

  /**
   * Where `requestedEpoch` ends in this log: the start offset of the first later epoch, or the
   * log end offset if it is the latest. If this replica never saw that epoch, the answer is for
   * the largest epoch below it (KIP-279), so the follower can truncate and ask again.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedEnd = { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedEnd;
    if (requestedEpoch === this.latestEpoch) return { leaderEpoch: requestedEpoch, endOffset: logEndOffset };
    const next = this.list.findIndex((e) => e.epoch > requestedEpoch);
    // Newer than any epoch here: nothing to say (the follower falls back to the high watermark).
    if (next < 0) return undefinedEnd;
    // Older than every epoch here: it ends where this log's first known epoch starts.
    if (next === 0) return { leaderEpoch: requestedEpoch, endOffset: this.list[0].startOffset };
    return { leaderEpoch: this.list[next - 1].epoch, endOffset: this.list[next].startOffset };
  }

  /** After the log was emptied to start over at a later offset: no epoch here describes it any more. */
  clear(): boolean {
    if (this.list.length === 0) return false;
    this.list = [];
    return true;
  }

  /** After the log is truncated to `endOffset`: epochs that started at or after it are gone. */
  truncateFromEnd(endOffset: number): boolean {
    const kept = this.list.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.list.length) return false;
    this.list = kept;
    return true;
  }
}
