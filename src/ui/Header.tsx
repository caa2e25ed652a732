import { useState } from 'react';
import { clearStartError, reportStartError, usePlayground, usePlaygroundStatus, useStartError } from './context';
import { InFlightLine } from './InFlightLine';

const SPEEDS = [0.25, 0.5, 1, 2, 4];

function ClusterStatus() {
  const playground = usePlayground();
  const status = usePlaygroundStatus();
  const startError = useStartError();
  const takeOver = () => {
    clearStartError();
    playground.start({ takeOver: true }).catch(reportStartError);
  };
  switch (status.kind) {
    case 'starting':
      return <span className="status status-starting" role="status">{startError ? `Could not start: ${startError}` : 'Starting the cluster…'}</span>;
    case 'running':
      return <span className="status status-running" role="status">{startError ? `Running, with an error: ${startError}` : 'Running'}</span>;
    case 'locked':
      return (
        <span className="status status-locked" role="status">
          This cluster is open in another tab.{' '}
          <button type="button" onClick={takeOver}>Take over here</button>
        </span>
      );
    case 'taken-over':
      return <span className="status status-locked" role="status">Taken over by another tab. Reload this page to take it back.</span>;
    case 'failed':
      return <span className="status status-failed" role="alert">Failed to start: {status.message}</span>;
  }
}

function SpeedControl() {
  const playground = usePlayground();
  const [speed, setSpeed] = useState(() => playground.host.speed);
  return (
    <div className="speed" role="group" aria-label="Clock speed">
      <span className="speed-label">Speed</span>
      {SPEEDS.map((s) => (
        <button
          key={s}
          type="button"
          className={s === speed ? 'speed-button active' : 'speed-button'}
          aria-pressed={s === speed}
          onClick={() => { playground.host.setSpeed(s); setSpeed(s); }}
        >
          {s}×
        </button>
      ))}
      <span className="hint">timeouts scale with speed</span>
    </div>
  );
}

export function Header() {
  return (
    <header className="header">
      <div className="header-title">
        <h1>Kafka Playground</h1>
        <ClusterStatus />
      </div>
      <SpeedControl />
      <InFlightLine />
    </header>
  );
}
