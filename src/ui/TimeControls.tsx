import { useState } from 'react';
import { usePlayground } from './context';
import './time.css';

const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4, 10];

/** Play, pause, step and the cluster clock's speed (a first version: pause is speed 0). */
export function TimeControls() {
  const playground = usePlayground();
  const [speed, setSpeed] = useState(() => playground.host.speed || 1);
  const [paused, setPaused] = useState(false);
  const toggle = () => {
    playground.host.setSpeed(paused ? speed : 0);
    setPaused(!paused);
  };
  return (
    <div className="time-controls" role="group" aria-label="Time">
      <button type="button" onClick={toggle}>{paused ? 'Play' : 'Pause'}</button>
      <label className="time-speed">
        <span>Speed</span>
        <select aria-label="Speed" value={speed} onChange={(e) => {
          const s = Number(e.target.value);
          setSpeed(s);
          if (!paused) playground.host.setSpeed(s);
        }}>
          {SPEEDS.map((s) => <option key={s} value={s}>{s}×</option>)}
        </select>
      </label>
      <span className="hint">Kafka&apos;s timeouts run on the cluster clock and scale with speed</span>
    </div>
  );
}
