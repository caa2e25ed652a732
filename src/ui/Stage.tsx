/**
 * The stage: the cluster drawn live. Producers on the left, the KRaft quorum above the brokers
 * in the middle, consumer groups on the right. Four layers share one layout (src/viz/layout):
 * HTML cards (names, states, buttons, the accessible structure), an SVG drawing (replica rows,
 * votes, breaks), a canvas of the replicas' log strips redrawn with the model, and one canvas
 * where one requestAnimationFrame loop draws the messages in flight.
 * The cards and drawing follow the page's throttled view of the store (liveView.ts); the canvas
 * reads the flow buffer and the cluster clock every frame, without React.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { layoutStage, type StageLayout } from '../viz/layout';
import { MAX_PRODUCERS, stageModel, type ReplicaModel, type StageModel } from '../viz/model';
import type { Anchor } from '../viz/geometry';
import { createFlowCanvas, sizeCanvas } from '../viz/flowCanvas';
import { drawStrips, stripColours, stripRows } from '../viz/stripCanvas';
import { CATEGORY_COLOURS, CATEGORY_LABELS, type FlowCategory } from '../viz/particles';
import { usePlayground, useView } from './context';
import { setSelection, useSelection, type Highlight } from './selection';
import { QuorumBand } from './QuorumView';
import { BrokerCard, GroupCard, NotesBand, ProducerCard, SHOWN_NOTES } from './StageCards';
import { StageSvg } from './StageSvg';
import './stage.css';

/**
 * The stage's model, recomputed whenever the page's view of the store republishes (at most every
 * UI_REFRESH_MS; every UI_HIDDEN_REFRESH_MS while the stage is off screen), and every second for what ages (news,
 * idle producers, the flash of an append).
 */
function useStageModel(showInternal: boolean): StageModel {
  const playground = usePlayground();
  const view = useView();
  const compute = useCallback(
    () => stageModel(view.getState(), { showInternal, now: playground.host.now() }),
    [playground, view, showInternal],
  );
  const [model, setModel] = useState(compute);
  useEffect(() => {
    const refresh = () => setModel(compute());
    refresh();
    const unsubscribe = view.subscribe(refresh);
    const ticker = setInterval(refresh, 1000);
    return () => {
      unsubscribe();
      clearInterval(ticker);
    };
  }, [view, compute]);
  return model;
}

/** A change of the page's theme (the header's toggle sets data-theme on <html>), as a number to depend on. */
function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const observer = new MutationObserver(() => setVersion((v) => v + 1));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return version;
}

/** Draws every replica's log strip on its canvas whenever the model, the layout or the theme changes. */
function useStripCanvas(canvas: RefObject<HTMLCanvasElement | null>, model: StageModel, layout: StageLayout): void {
  const theme = useThemeVersion();
  useEffect(() => {
    const element = canvas.current;
    const ctx = element?.getContext('2d');
    if (!element || !ctx) return;
    const dpr = sizeCanvas(element, layout.width, layout.height);
    const flash = !(typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches);
    drawStrips(ctx, stripRows(model.brokers, layout.brokers), stripColours(getComputedStyle(element)), { width: layout.width, height: layout.height, dpr }, flash);
  }, [canvas, model, layout, theme]);
}

/** The container's width, followed as it resizes. */
function useWidth(): [number, (element: HTMLDivElement | null) => void] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | null>(null);
  // Stable, so React calls it only when the element comes and goes (reading clientWidth forces a layout).
  const ref = useCallback((element: HTMLDivElement | null) => {
    observer.current?.disconnect();
    if (!element) return;
    setWidth(element.clientWidth);
    observer.current = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    observer.current.observe(element);
  }, []);
  return [width, ref];
}

/** The height the stage fits in: the window less the header and the stage's own title and network bar. */
function useHeightBudget(): number {
  const [height, setHeight] = useState(() => window.innerHeight);
  useEffect(() => {
    const resize = () => setHeight(window.innerHeight);
    window.addEventListener('resize', resize);
    return () => window.removeEventListener('resize', resize);
  }, []);
  return Math.max(460, Math.min(780, height - 200));
}

/** Every address on the stage and the box it is drawn in (a consumer: its row in its group). */
function anchorsOf(model: StageModel, layout: StageLayout): Map<string, Anchor> {
  const anchors = new Map<string, Anchor>();
  model.controllers.forEach((c, i) => layout.controllers[i] && anchors.set(c.address, { rect: layout.controllers[i], kind: 'controller' }));
  model.brokers.forEach((b, i) => layout.brokers[i] && anchors.set(b.address, { rect: layout.brokers[i].box, kind: 'broker' }));
  model.producers.forEach((p, i) => { if (layout.producers[i]) for (const a of p.addresses) anchors.set(a, { rect: layout.producers[i], kind: 'client-left' }); });
  model.groups.forEach((g, gi) => g.members.forEach((m, mi) => {
    const row = layout.groups[gi]?.members[mi];
    if (row) anchors.set(m.address, { rect: row, kind: 'client-right' });
  }));
  return anchors;
}

function summaryOf(model: StageModel): string {
  const alive = (list: { alive: boolean }[]) => list.filter((n) => n.alive).length;
  const replicas = model.brokers.reduce((n, b) => n + b.replicas.length, 0);
  return `Cluster diagram: ${model.controllers.length} controllers (${alive(model.controllers)} alive, active controller ${model.quorum.activeId ?? 'none'}, epoch ${model.quorum.epoch}), `
    + `${model.brokers.length} brokers (${alive(model.brokers)} alive) holding ${replicas} partition replicas, ${model.producers.length} producers, ${model.groups.length} consumer groups`
    + `${model.network ? ', the network cut' : ''}. Each node's details follow as regions.`;
}

const LEGEND: FlowCategory[] = ['produce', 'replication', 'consume', 'group', 'quorum', 'election', 'heartbeat', 'isr', 'other'];

export function Stage({ showInternal }: { showInternal: boolean }) {
  const playground = usePlayground();
  const model = useStageModel(showInternal);
  const selection = useSelection();
  const [width, measure] = useWidth();
  const maxHeight = useHeightBudget();
  const counts = `${model.controllers.length}|${model.brokers.map((b) => b.replicas.length).join(',')}|${model.producers.length}|${model.groups.map((g) => g.members.length).join(',')}`;
  const layout = useMemo(() => layoutStage({
    width: Math.max(width, 640), maxHeight, controllers: model.controllers.length, brokers: model.brokers.map((b) => b.replicas.length),
    producers: model.producers.length, groups: model.groups.map((g) => g.members.length), notes: SHOWN_NOTES,
  // The layout changes only with what is counted, not with every offset.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  }), [counts, width, maxHeight]);
  const anchors = useMemo(() => anchorsOf(model, layout), [model, layout]);
  const selected = useMemo(() => new Set(selection?.nodes ?? []), [selection]);

  // The canvas loop reads these through refs: no re-render, no new loop, when they change.
  const anchorsRef = useRef(anchors);
  const selectedRef = useRef<ReadonlySet<string> | null>(null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const stripsRef = useRef<HTMLCanvasElement | null>(null);
  useStripCanvas(stripsRef, model, layout);
  const hostRef = useRef<HTMLDivElement | null>(null);
  const statusRef = useRef<HTMLSpanElement | null>(null);
  const renderer = useRef<ReturnType<typeof createFlowCanvas> | null>(null);
  const hostElement = useCallback((element: HTMLDivElement | null) => {
    hostRef.current = element;
    measure(element);
  }, [measure]);
  useLayoutEffect(() => {
    anchorsRef.current = anchors;
    selectedRef.current = selected.size > 0 ? selected : null;
    renderer.current?.update({ width: layout.width, height: layout.height });
  }, [anchors, selected, layout]);
  useEffect(() => {
    if (!canvasRef.current || !hostRef.current) return;
    const left = layout.columns.producers;
    const right = layout.columns.groups;
    const anchorOf = (address: string): Anchor | null => {
      const anchor = anchorsRef.current.get(address);
      if (anchor) return anchor;
      // A client the cards do not show yet (its first messages): from the edge of its column.
      if (address.startsWith('consumer-')) return { rect: { x: right.x, y: right.y + right.h / 2 - 10, w: right.w, h: 20 }, kind: 'client-right' };
      if (address.startsWith('client-') || address.startsWith('producer-')) return { rect: { x: left.x, y: left.y + left.h / 2 - 10, w: left.w, h: 20 }, kind: 'client-left' };
      return null;
    };
    renderer.current = createFlowCanvas(canvasRef.current, {
      buffer: () => playground.store.getState().flows,
      now: () => playground.host.now(),
      speed: () => playground.store.getState().speed,
      visualLatency: () => playground.host.visualLatency,
      paused: () => playground.host.isPaused(),
      anchorOf: () => anchorOf,
      highlighted: () => selectedRef.current,
    }, { host: hostRef.current, status: statusRef.current });
    renderer.current.update({ width: layout.width, height: layout.height });
    return () => {
      renderer.current?.destroy();
      renderer.current = null;
    };
    // One loop for the stage's life; it reads the layout through anchorsRef.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [playground, layout.columns.producers.x, layout.columns.groups.x, layout.height]);

  const selectReplica = useCallback((r: ReplicaModel) => {
    const same = selection?.topic === r.topic && selection.partition === r.partition;
    const holders = model.brokers.filter((b) => b.replicas.some((x) => x.topic === r.topic && x.partition === r.partition)).map((b) => b.address);
    const pick: Highlight | null = same ? null : { nodes: holders, topic: r.topic, partition: r.partition, label: `partition ${r.topic}-${r.partition}` };
    setSelection(pick);
  }, [selection, model.brokers]);

  const now = playground.host.now();
  return (
    <div className="stage-wrap">
      <div className="stage" ref={hostElement} style={{ height: layout.height }} data-in-flight="0" data-flow-mode="dots">
        <div className="stage-cards">
          {layout.producers.length > 0 && <div className="column-title" style={{ left: layout.columns.producers.x, top: layout.producers[0].y - 20, width: layout.columns.producers.w }}>Producers</div>}
          {model.producers.map((p, i) => layout.producers[i] && (
            <ProducerCard key={p.key} producer={p} box={layout.producers[i]} now={now} selected={p.addresses.some((a) => selected.has(a))} />
          ))}
          {model.producers.length === 0 && (
            <p className="column-empty" style={{ left: layout.columns.producers.x, top: layout.metadataBand.y + layout.metadataBand.h, width: layout.columns.producers.w }}>
              No producers yet. Send a record, or add a producer.
            </p>
          )}
          <QuorumBand quorum={model.quorum} controllers={model.controllers} boxes={layout.controllers} band={layout.quorum} header={layout.quorumHeader} selected={selected} />
          {model.brokers.map((b, i) => layout.brokers[i] && <BrokerCard key={b.address} broker={b} box={layout.brokers[i].box} selected={selected.has(b.address)} />)}
          <NotesBand notes={model.notes} box={layout.notes} />
          {model.groups.length === 0
            ? (
              <p className="column-empty" style={{ left: layout.columns.groups.x, top: layout.columns.groups.y, width: layout.columns.groups.w }}>
                <b>Consumer groups</b><br />None yet. Start a consumer to see its group, its members and their partitions here.
              </p>
            )
            : model.groups.map((g, i) => layout.groups[i] && (
              <GroupCard key={g.groupId} group={g} layout={layout.groups[i]} selected={selection?.groupId === g.groupId || g.members.some((m) => selected.has(m.address))} selectedTopic={selection?.topic ?? null} />
            ))}
        </div>
        <StageSvg model={model} layout={layout} anchorOf={(a) => anchors.get(a) ?? null} selection={selection} onSelect={selectReplica} summary={summaryOf(model)} />
        <canvas ref={stripsRef} className="stage-strips" aria-hidden="true" />
        <canvas ref={canvasRef} className="stage-canvas" aria-hidden="true" />
      </div>
      <div className="stage-legend small">
        <span className="stage-status" aria-live="off" ref={statusRef}>0 messages in flight</span>
        {LEGEND.map((c) => <span key={c} className="legend-item"><i className="swatch" style={{ background: CATEGORY_COLOURS[c] }} />{CATEGORY_LABELS[c]}</span>)}
        <span className="legend-item"><i className="shape dot" />request</span>
        <span className="legend-item"><i className="shape ring" />response</span>
        <span className="legend-item"><i className="shape batch" />record batch (size by bytes)</span>
        {model.producers.length >= MAX_PRODUCERS && <span className="muted">more producers share the last box</span>}
      </div>
    </div>
  );
}
