/**
 * The stage's drawing in SVG, between the cards' backgrounds and the canvases: each replica's
 * row (its name, the leader with its epoch, ISR members apart from the out-of-sync, its offsets,
 * and a click target with its description; the strip of offsets is on the strips canvas), the
 * controllers' metadata logs, the votes of an election, and the links a network cut breaks.
 */
import { memo } from 'react';
import type { StageLayout, BrokerLayout } from '../viz/layout';
import type { BrokerModel, ControllerModel, QuorumModel, ReplicaModel, StageModel } from '../viz/model';
import { center, route, routePoint, type Anchor, type Rect, type Route } from '../viz/geometry';
import { fitLabel, rowParts, stripSegments } from '../viz/strips';
import type { Highlight } from './selection';
import { describeReplica } from './StageCards';

function ReplicaRow({ replica, row, mode, alive, selected, onSelect }: {
  replica: ReplicaModel; row: Rect; mode: BrokerLayout['mode']; alive: boolean; selected: boolean; onSelect: (r: ReplicaModel) => void;
}) {
  const parts = rowParts(mode, row);
  const s = stripSegments(replica, parts.strip);
  const tone = !alive ? 'dead' : !replica.reported ? 'unknown' : replica.leader ? 'leader' : replica.inIsr ? 'isr' : 'out';
  const textY = row.y + row.h / 2;
  return (
    <g className={`srow tone-${tone}${selected ? ' is-selected' : ''}`} onClick={() => onSelect(replica)}>
      <title>{describeReplica(replica, alive)}</title>
      <rect className="srow-hit" x={row.x - 2} y={row.y} width={row.w + 4} height={row.h} />
      {parts.label && (
        <text className={`srow-label${mode === 'compact' ? ' small' : ''}`} x={parts.label.x} y={textY} dominantBaseline="central">
          {fitLabel(replica.topic, replica.partition, parts.labelChars)}
        </text>
      )}
      {parts.role && (
        <text className={`srow-role role-${tone}${mode === 'compact' ? ' small' : ''}`} x={parts.role.x} y={textY} dominantBaseline="central">
          {mode === 'compact'
            ? (replica.leader ? '★' : replica.inIsr ? '' : '✗')
            : (replica.leader ? `★ e${replica.leaderEpoch}` : replica.inIsr ? 'in ISR' : 'out of ISR')}
        </text>
      )}
      {/* The strip itself is on the strips canvas (viz/stripCanvas.ts). */}
      {s.cut && mode !== 'mini' && <text className="strip-cut-mark" x={s.cut[0] + s.cut[1] / 2} y={parts.strip.y - 1} textAnchor="middle">✂</text>}
      {parts.numbers && (
        <text className="srow-numbers" x={parts.numbers.x + parts.numbers.w} y={textY} dominantBaseline="central" textAnchor="end">
          {replica.reported ? (parts.wideNumbers ? `HW ${replica.highWatermark} LEO ${replica.logEndOffset}` : `${replica.highWatermark}/${replica.logEndOffset}`) : '–'}
        </text>
      )}
    </g>
  );
}

const BrokerRows = memo(function BrokerRows({ broker, layout, selection, onSelect }: {
  broker: BrokerModel; layout: BrokerLayout; selection: Highlight | null; onSelect: (r: ReplicaModel) => void;
}) {
  const picks = (r: ReplicaModel) => !!selection?.topic && selection.topic === r.topic && (selection.partition === undefined || selection.partition === r.partition);
  return (
    <g className={`sbroker${broker.alive ? '' : ' is-dead'}`}>
      {broker.replicas.map((r, i) => layout.rows[i] && (
        <ReplicaRow key={`${r.topic}-${r.partition}`} replica={r} row={layout.rows[i]} mode={layout.mode} alive={broker.alive} selected={picks(r)} onSelect={onSelect} />
      ))}
    </g>
  );
});

/** Each controller's __cluster_metadata log: committed (on a majority) and not yet. */
function ControllerLogs({ controllers, boxes }: { controllers: ControllerModel[]; boxes: Rect[] }) {
  const most = Math.max(1, ...controllers.map((c) => c.logEndOffset));
  return (
    <g className="qlogs">
      {controllers.map((c, i) => {
        const box = boxes[i];
        if (!box) return null;
        const x = box.x + 8;
        const w = box.w - 16;
        const y = box.y + box.h - 9;
        const committed = Math.max(0, c.committedOffset + 1);
        return (
          <g key={c.address} className={c.alive ? '' : 'is-dead'}>
            <title>{`controller ${c.id}: __cluster_metadata committed below ${committed}, log end offset ${c.logEndOffset}`}</title>
            <rect className="qlog-bg" x={x} y={y} width={w} height={5} />
            <rect className="qlog-committed" x={x} y={y} width={(w * Math.min(committed, most)) / most} height={5} />
            {c.logEndOffset > committed && <rect className="qlog-uncommitted" x={x + (w * committed) / most} y={y} width={(w * (c.logEndOffset - committed)) / most} height={5} />}
          </g>
        );
      })}
    </g>
  );
}

/** A vote: an arc under the controllers, from the voter to the one it voted for. */
function Votes({ quorum, controllers, boxes }: { quorum: QuorumModel; controllers: ControllerModel[]; boxes: Rect[] }) {
  const boxOf = new Map(controllers.map((c, i) => [c.id, boxes[i]]));
  return (
    <g className={`votes${quorum.electing ? ' is-electing' : ''}`}>
      {quorum.votes.map((v) => {
        const a = boxOf.get(v.from);
        const b = boxOf.get(v.to);
        if (!a || !b) return null;
        const from = { x: a.x + a.w / 2, y: a.y + a.h };
        const to = { x: b.x + b.w / 2 + (from.x < b.x ? -10 : 10), y: b.y + b.h };
        const depth = Math.min(30, 12 + Math.abs(to.x - from.x) / 20);
        const mid = { x: (from.x + to.x) / 2, y: from.y + depth };
        return (
          <g key={`${v.from}-${v.to}`} className="vote">
            <title>{`controller ${v.from} voted for controller ${v.to} in epoch ${v.epoch}`}</title>
            <path d={`M${from.x} ${from.y} Q${mid.x} ${from.y + depth * 2} ${to.x} ${to.y}`} markerEnd="url(#stage-arrow)" />
            <text x={mid.x} y={mid.y + 4} textAnchor="middle">vote e{v.epoch}</text>
          </g>
        );
      })}
    </g>
  );
}

/** A broken link, along the route messages take between the two: dashed, with a red cross in its middle. */
function Break({ path, label }: { path: Route; label: string }) {
  const mid = routePoint(path, 0.5);
  const { from, c1, c2, to } = path;
  return (
    <g className="break">
      <title>{label}</title>
      <path d={`M${from.x} ${from.y}C${c1.x} ${c1.y} ${c2.x} ${c2.y} ${to.x} ${to.y}`} />
      <circle className="break-disc" cx={mid.x} cy={mid.y} r={7} />
      <path className="break-mark" d={`M${mid.x - 4} ${mid.y - 4}l8 8M${mid.x + 4} ${mid.y - 4}l-8 8`} />
    </g>
  );
}

export function StageSvg({ model, layout, anchorOf, selection, onSelect, summary }: {
  model: StageModel; layout: StageLayout; anchorOf: (address: string) => Anchor | null; selection: Highlight | null;
  onSelect: (r: ReplicaModel) => void; summary: string;
}) {
  const clients = layout.columns.producers;
  return (
    <svg className="stage-svg" width={layout.width} height={layout.height} role="img" aria-label={summary}>
      <defs>
        <marker id="stage-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0 0L8 4L0 8z" className="arrow-head" />
        </marker>
      </defs>
      {model.controllers.length > 0 && model.brokers.length > 0 && (
        <text className="metadata-label" x={layout.metadataBand.x + 4} y={layout.metadataBand.y + layout.metadataBand.h - 6}>
          ↓ metadata (__cluster_metadata) · ↑ broker heartbeats
        </text>
      )}
      <ControllerLogs controllers={model.controllers} boxes={layout.controllers} />
      {model.quorum.votesRecent && <Votes quorum={model.quorum} controllers={model.controllers} boxes={layout.controllers} />}
      {model.brokers.map((b, i) => layout.brokers[i] && <BrokerRows key={b.address} broker={b} layout={layout.brokers[i]} selection={selection} onSelect={onSelect} />)}
      <g className="breaks">
        {model.breaks.map(([a, b]) => {
          const ab = anchorOf(b);
          const aa: Anchor | null = a === 'clients' ? (ab ? { rect: { x: clients.x, y: center(ab.rect).y - 10, w: clients.w, h: 20 }, kind: 'client-left' } : null) : anchorOf(a);
          if (!aa || !ab) return null;
          return <Break key={`${a}-${b}`} path={route(aa, ab, 0)} label={a === 'clients' ? `network cut: the page's clients cannot reach ${b}` : `network cut between ${a} and ${b}`} />;
        })}
      </g>
    </svg>
  );
}
