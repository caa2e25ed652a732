import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type FormEvent } from 'react';
import type { FetchedRecord, PartitionReader } from '../kafka/client/partitionReader';
import { selectTopics } from '../store/selectors';
import { useDerived, usePlayground } from './context';
import { describeError, formatTime } from './format';
import { ResultLine, useAction } from './action';
import { adminOf } from './client';
import './panels.css';

/** Every row is this tall, so row i sits at i * ROW_HEIGHT and only the visible ones are drawn. */
const ROW_HEIGHT = 24;
const VIEWPORT_ROWS = 14;
const OVERSCAN = 6;
/** Offsets per page fetched (lazily, as rows come into view). */
const PAGE = 100;
const PAGE_BYTES = 32 * 1024;
/** Pages kept: the farthest from the view are dropped beyond this, so memory stays bounded. */
const MAX_PAGES = 60;
const MAX_LOADS = 3;

interface Page {
  start: number;
  records: Map<number, FetchedRecord>;
  /** Offsets below this (from `start`) are loaded: a missing one holds no record (compacted, or a control record). */
  loadedTo: number;
  loading: boolean;
  error: string | null;
  /** The high watermark at which a load last failed or got nothing: tried again only once it moves. */
  stalledAt: number | null;
}

/**
 * The records of one partition, fetched a page at a time as they are wanted, by the client's
 * partition reader (Fetch to the leader, up to the high watermark), never from a node's state.
 */
class PartitionPages {
  private readonly pages = new Map<number, Page>();
  private loads = 0;
  private wanted: [number, number] = [0, 0];
  private highWatermark = 0;
  private logStart = 0;
  private stopped = false;
  lastError: string | null = null;

  constructor(private readonly reader: () => PartitionReader, readonly topic: string, readonly partition: number, private readonly changed: () => void) {}

  stop(): void {
    this.stopped = true;
  }

  record(offset: number): FetchedRecord | 'loading' | 'none' {
    const page = this.pages.get(offset - (offset % PAGE));
    if (!page || offset >= page.loadedTo) return 'loading';
    return page.records.get(offset) ?? 'none';
  }

  /** Loads what [from, to) needs of the log below the high watermark, a few pages at a time. */
  want(from: number, to: number, logStart: number, highWatermark: number): void {
    this.wanted = [from, to];
    this.logStart = logStart;
    this.highWatermark = highWatermark;
    for (let start = from - (from % PAGE); start < Math.min(to, highWatermark) && this.loads < MAX_LOADS; start += PAGE) {
      const page = this.page(start);
      if (!page.loading && page.stalledAt !== highWatermark && page.loadedTo < Math.min(start + PAGE, highWatermark)) void this.load(page);
    }
    this.evict();
  }

  private page(start: number): Page {
    let page = this.pages.get(start);
    if (!page) {
      page = { start, records: new Map(), loadedTo: start, loading: false, error: null, stalledAt: null };
      this.pages.set(start, page);
    }
    return page;
  }

  /**
   * Files a read's records [from, next) into their pages: a fetch returns whole batches, so one
   * read of a large batch fills every page it spans, which are not fetched again.
   */
  private absorb(records: readonly FetchedRecord[], from: number, next: number): void {
    for (let start = from - (from % PAGE); start < next; start += PAGE) {
      const page = this.page(start);
      // Only a page loaded up to where this read began continues without a hole.
      if (page.loadedTo < Math.max(start, from)) continue;
      for (const r of records) if (r.offset >= start && r.offset < start + PAGE) page.records.set(r.offset, r);
      page.loadedTo = Math.max(page.loadedTo, Math.min(next, start + PAGE));
    }
  }

  private async load(page: Page): Promise<void> {
    page.loading = true;
    this.loads++;
    try {
      // Below the log start is deleted (retention): fetching there is OFFSET_OUT_OF_RANGE.
      let offset = Math.max(page.loadedTo, this.logStart);
      const end = Math.min(page.start + PAGE, this.highWatermark);
      const began = page.loadedTo;
      while (offset < end && !this.stopped) {
        const read = await this.reader().read(this.topic, this.partition, offset, { maxBytes: PAGE_BYTES });
        if (read.nextOffset <= offset) break;
        this.absorb(read.records, offset, read.nextOffset);
        offset = read.nextOffset;
      }
      page.error = null;
      this.lastError = null;
      page.stalledAt = page.loadedTo === began ? this.highWatermark : null;
    } catch (error) {
      const { type, message } = describeError(error);
      page.error = `${type ? `${type}: ` : ''}${message}`;
      this.lastError = page.error;
      page.stalledAt = this.highWatermark;
    } finally {
      page.loading = false;
      this.loads--;
    }
    if (this.stopped) return;
    this.changed();
    // A freed slot goes to what is wanted now (the view may have moved on).
    this.want(this.wanted[0], this.wanted[1], this.logStart, this.highWatermark);
  }

  private evict(): void {
    if (this.pages.size <= MAX_PAGES) return;
    const middle = (this.wanted[0] + this.wanted[1]) / 2;
    const far = [...this.pages.values()].filter((p) => !p.loading).sort((a, b) => Math.abs(b.start - middle) - Math.abs(a.start - middle));
    for (const page of far.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(page.start);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });
/** UTF-8 text, or hex when the bytes are not text; null as Kafka's null. */
function bytesText(bytes: Uint8Array | null): { text: string; kind: 'null' | 'text' | 'hex' } {
  if (bytes === null) return { text: 'null', kind: 'null' };
  try {
    return { text: decoder.decode(bytes), kind: 'text' };
  } catch {
    return { text: `0x${[...bytes.slice(0, 64)].map((b) => b.toString(16).padStart(2, '0')).join('')}${bytes.length > 64 ? '…' : ''}`, kind: 'hex' };
  }
}

function RecordRow({ offset, index, entry, sought, top }: { offset: number; index: number; entry: FetchedRecord | 'loading' | 'none'; sought: boolean; top: boolean }) {
  const style = { top: index * ROW_HEIGHT, height: ROW_HEIGHT };
  const rowProps = { role: 'row', 'aria-rowindex': index + 2, 'data-offset': offset, style };
  if (entry === 'loading' || entry === 'none') {
    return (
      <div {...rowProps} className={`mb-row mb-placeholder${sought ? ' is-sought' : ''}`}>
        <span role="cell" className="mb-offset">{offset}</span>
        <span role="cell" className="mb-rest muted">{entry === 'loading' ? 'fetching…' : 'no record at this offset (removed by compaction, or a control record)'}</span>
      </div>
    );
  }
  const { batch } = entry;
  const first = offset === batch.baseOffset;
  const last = offset === batch.lastOffset;
  // A batch is labelled on its first record, and on the top row when its start is scrolled away.
  const labelled = first || top;
  const key = bytesText(entry.key);
  const value = bytesText(entry.value);
  const headers = entry.headers.map((h) => `${h.key}=${bytesText(h.value).text}`).join(', ');
  const classes = ['mb-row', first ? 'batch-first' : '', last ? 'batch-last' : '', sought ? 'is-sought' : ''].filter(Boolean).join(' ');
  const idempotent = batch.producerId >= 0;
  const batchTitle = `Batch ${batch.baseOffset}..${batch.lastOffset} (${batch.recordCount} record${batch.recordCount === 1 ? '' : 's'}, ${batch.sizeInBytes} bytes, ${batch.compression}), partition leader epoch ${batch.partitionLeaderEpoch}`;
  const producerTitle = idempotent
    ? `Idempotent producer id ${batch.producerId}, epoch ${batch.producerEpoch}; this batch's first sequence number is ${batch.baseSequence}, so this record's is ${batch.baseSequence + offset - batch.baseOffset}`
    : 'A non-idempotent producer: producer id -1, no sequence numbers';
  return (
    <div {...rowProps} className={classes}>
      <span role="cell" className="mb-offset">{offset}</span>
      <span role="cell" className="mb-time" title={`${batch.timestampType} ${entry.timestamp}`}>{formatTime(entry.timestamp)}</span>
      <span role="cell" className={`mb-key mb-${key.kind}`} title={key.text}>{key.text}</span>
      <span role="cell" className={`mb-value mb-${value.kind}`} title={value.text}>{value.text}</span>
      <span role="cell" className="mb-headers" title={headers}>{headers || <span className="muted">—</span>}</span>
      <span role="cell" className="mb-batch" title={batchTitle}>
        <span className="batch-bracket" aria-hidden="true" />
        {labelled ? `${batch.baseOffset}..${batch.lastOffset}` : <span className="sr-only">{`${batch.baseOffset}..${batch.lastOffset}`}</span>}
      </span>
      <span role="cell" className="mb-producer" title={producerTitle}>
        {labelled ? (idempotent ? `${batch.producerId} / ${batch.producerEpoch} / ${batch.baseSequence}` : '—') : ''}
      </span>
    </div>
  );
}

/**
 * A partition's records as a consumer reads them, the way kafka-console-consumer.sh --partition
 * --offset does: offset, timestamp, key, value, headers, each batch's offsets and its producer id,
 * epoch and base sequence. Rows are drawn only where they are visible and pages fetched only
 * when they come into view, so a partition of 100,000 records scrolls as one of ten.
 */
export function MessageBrowser() {
  const playground = usePlayground();
  const topics = useDerived((s) => [s.metadata, s.replicas, s.nodes], (s) => selectTopics(s, true));
  const [showInternal, setShowInternal] = useState(false);
  const listed = topics.filter((t) => showInternal || !t.internal);
  const [chosen, setChosen] = useState<{ topic: string; partition: number } | null>(null);
  const topic = listed.find((t) => t.name === chosen?.topic) ?? listed[0] ?? null;
  const partition = topic?.partitions.find((p) => p.partition === chosen?.partition) ?? topic?.partitions[0] ?? null;
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  // One reader (a client of its own) for the panel's life.
  const readerRef = useRef<PartitionReader | null>(null);
  const reader = useCallback(() => (readerRef.current ??= playground.kafka({ clientId: 'message-browser' }).partitionReader()), [playground]);
  const pages = useMemo(
    () => (topic && partition ? new PartitionPages(reader, topic.name, partition.partition, rerender) : null),
    [reader, topic?.name, partition?.partition], // eslint-disable-line react-hooks/exhaustive-deps
  );
  useEffect(() => () => pages?.stop(), [pages]);

  // The offsets as the partition's leader last reported them (its partition-offsets events).
  const logStart = Math.max(0, partition?.logStartOffset ?? 0);
  const highWatermark = Math.max(logStart, partition?.highWatermark ?? 0);
  const count = highWatermark - logStart;

  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [tail, setTail] = useState(true);
  const [sought, setSought] = useState<number | null>(null);
  const [seekText, setSeekText] = useState('');
  const [seekError, setSeekError] = useState<string | null>(null);
  const programmatic = useRef(false);
  const viewport = VIEWPORT_ROWS * ROW_HEIGHT;

  const scrollTo = (top: number) => {
    const el = scroller.current;
    if (!el) return;
    const before = el.scrollTop;
    el.scrollTop = top;
    // The scroll event this causes is ours, not the person's.
    if (el.scrollTop !== before) programmatic.current = true;
    setScrollTop(el.scrollTop);
  };

  // Live tail: follow the high watermark as records are committed. The end is known from the
  // count, so the position is written and never read back: a read after a write forces a layout
  // of the whole page, and the tail moves at every refresh.
  const tailTop = useRef(-1);
  useEffect(() => {
    const el = scroller.current;
    const top = Math.max(0, count * ROW_HEIGHT - viewport);
    if (!tail || !el || top === tailTop.current) return;
    tailTop.current = top;
    programmatic.current = true;
    el.scrollTop = top;
    setScrollTop(top);
  }, [tail, count, pages, viewport]);

  // A new partition starts at its tail, and without the last partition's results.
  const deletion = useAction();
  const clearDeletion = deletion.setResult;
  useEffect(() => {
    setSought(null);
    setSeekError(null);
    setTail(true);
    clearDeletion(null);
  }, [pages, clearDeletion]);

  const firstRow = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const lastRow = Math.min(count, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  useEffect(() => {
    pages?.want(logStart + firstRow, logStart + lastRow, logStart, highWatermark);
  });

  const onScroll = () => {
    const el = scroller.current!;
    setScrollTop(el.scrollTop);
    tailTop.current = el.scrollTop;
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    // Scrolling away from the end stops the tail, as in a terminal; back at the end it follows again.
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
    if (tail !== atEnd) setTail(atEnd);
  };

  const seek = (e: FormEvent) => {
    e.preventDefault();
    const offset = Number(seekText);
    if (seekText.trim() === '' || !Number.isInteger(offset)) {
      setSeekError('An offset is a whole number.');
      return;
    }
    if (offset < logStart || offset >= highWatermark) {
      setSeekError(`OFFSET_OUT_OF_RANGE: ${offset} is outside [${logStart}, ${highWatermark}), the readable log (log start offset to high watermark)`);
      return;
    }
    setSeekError(null);
    setTail(false);
    setSought(offset);
    // Rendered first: the spacer below grows if the offset is near the end.
    requestAnimationFrame(() => scrollTo((offset - logStart) * ROW_HEIGHT));
  };

  // kafka-delete-records.sh: DeleteRecords moves the log start offset up; the rows below it go.
  const admin = useMemo(() => adminOf(playground, 'message-browser-admin'), [playground]);
  const [deleteText, setDeleteText] = useState('');
  const deleteRecords = (e: FormEvent) => {
    e.preventDefault();
    if (!topic || !partition) return;
    const offset = Number(deleteText);
    if (deleteText.trim() === '' || !Number.isInteger(offset) || offset < -1) {
      deletion.setResult({ ok: false, type: null, message: 'An offset is a whole number (-1: up to the high watermark).' });
      return;
    }
    const { name } = topic;
    const index = partition.partition;
    const start = logStart;
    void deletion.run(async () => {
      await (await admin()).deleteTopicRecords({ topic: name, partitions: [{ partition: index, offset: String(offset) }] });
      if (offset !== -1 && offset <= start) return { ok: true, text: `Nothing deleted: the log start offset of ${name}-${index} is already ${start}.` };
      return { ok: true, text: `Deleted the records of ${name}-${index} below ${offset === -1 ? 'the high watermark' : `offset ${offset}`}: the log start offset moved there (DeleteRecords).` };
    // KafkaJSDeleteTopicRecordsError carries each partition's own error.
    }, (error) => ({ ok: false, ...describeError((error as { partitions?: { error: unknown }[] }).partitions?.[0]?.error ?? error) }));
  };

  const soughtIndex = sought !== null && sought >= logStart && sought < highWatermark ? sought - logStart : null;
  const height = Math.max(count * ROW_HEIGHT, soughtIndex !== null ? soughtIndex * ROW_HEIGHT + viewport : 0);
  const rows = [];
  const topRow = Math.floor(scrollTop / ROW_HEIGHT);
  if (pages) {
    for (let i = firstRow; i < lastRow; i++) {
      rows.push(<RecordRow key={logStart + i} offset={logStart + i} index={i} entry={pages.record(logStart + i)} sought={logStart + i === sought} top={i === topRow} />);
    }
  }

  return (
    <section className="panel message-browser" aria-labelledby="browser-title">
      <div className="panel-head">
        <h2 id="browser-title">Message browser</h2>
        <span className="muted small">a partition read like <code>kafka-console-consumer.sh --partition --offset</code>: Fetch from its leader, up to the high watermark</span>
      </div>
      {!topic || !partition
        ? <p className="muted">No topics yet.</p>
        : (
          <>
            <div className="mb-controls">
              <label>Topic{' '}
                <select aria-label="Topic" value={topic.name} onChange={(e) => setChosen({ topic: e.target.value, partition: 0 })}>
                  {listed.map((t) => <option key={t.name} value={t.name}>{t.name}</option>)}
                </select>
              </label>
              <label>Partition{' '}
                <select aria-label="Partition" value={partition.partition} onChange={(e) => setChosen({ topic: topic.name, partition: Number(e.target.value) })}>
                  {topic.partitions.map((p) => <option key={p.partition} value={p.partition}>{p.partition}</option>)}
                </select>
              </label>
              <form className="mb-seek" onSubmit={seek} noValidate>
                <label>Offset{' '}
                  <input aria-label="Offset" type="number" inputMode="numeric" min={logStart} value={seekText} onChange={(e) => setSeekText(e.target.value)} size={8} />
                </label>
                <button type="submit">Seek</button>
              </form>
              <form className="mb-seek" onSubmit={deleteRecords} noValidate>
                <label>Delete records below{' '}
                  <input aria-label="Delete records below offset" aria-describedby="mb-delete-help" type="number" inputMode="numeric" min={-1} value={deleteText} onChange={(e) => setDeleteText(e.target.value)} size={8} />
                </label>
                <button type="submit" disabled={deletion.busy}>{deletion.busy ? 'Deleting…' : 'Delete records'}</button>
              </form>
              <button type="button" aria-pressed={tail} onClick={() => setTail(!tail)} title="Follow the partition's end: new records show as the high watermark moves">
                {tail ? 'Live tail: on' : 'Live tail: off'}
              </button>
              <label className="checkbox small">
                <input type="checkbox" checked={showInternal} onChange={(e) => setShowInternal(e.target.checked)} /> internal topics
              </label>
            </div>
            <div className="mb-status small muted" aria-live="polite">
              {topic.name}-{partition.partition}: log start offset <b>{logStart}</b>, high watermark <b>{highWatermark}</b> ({count.toLocaleString()} record{count === 1 ? '' : 's'} readable),
              leader {partition.leader < 0 ? <span className="bad">none</span> : <>broker <b>{partition.leader}</b></>}
              {pages?.lastError && <span className="bad"> · {pages.lastError}</span>}
            </div>
            {seekError && <p className="bad small" role="alert">{seekError}</p>}
            <p id="mb-delete-help" className="small muted">
              Delete records is <code>kafka-delete-records.sh</code>: DeleteRecords moves the log start offset up to that offset (-1: the high watermark) on the leader, then on its followers. It cannot be undone.
            </p>
            <ResultLine result={deletion.result} />
            <div className="mb-table" role="table" aria-label={`Records of ${topic.name}-${partition.partition}`} aria-rowcount={count + 1}>
              <div className="mb-row mb-header" role="row" aria-rowindex={1}>
                <span role="columnheader" className="mb-offset">Offset</span>
                <span role="columnheader" className="mb-time">Timestamp</span>
                <span role="columnheader" className="mb-key">Key</span>
                <span role="columnheader" className="mb-value">Value</span>
                <span role="columnheader" className="mb-headers">Headers</span>
                <span role="columnheader" className="mb-batch" title="Each record batch's base offset..last offset, as it is stored in the log">Batch</span>
                <span role="columnheader" className="mb-producer" title="Producer id / producer epoch / base sequence of the batch (idempotent producers; — for others)">PID / epoch / seq</span>
              </div>
              <div className="mb-scroll" ref={scroller} onScroll={onScroll} style={{ height: viewport }} tabIndex={0} role="rowgroup" aria-label="Records, scrollable">
                <div className="mb-spacer" style={{ height }}>{rows}</div>
              </div>
            </div>
            {count === 0 && <p className="muted small mb-empty">No records below the high watermark yet.</p>}
          </>
        )}
    </section>
  );
}
