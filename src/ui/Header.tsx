import { useEffect, useState } from 'react';
import { clearStartError, reportStartError, usePlayground, usePlaygroundStatus, useStartError } from './context';
import { HelpOverlay } from './HelpOverlay';
import { InFlightLine } from './InFlightLine';
import { TimeControls } from './TimeControls';
import { openHelp, useShortcuts } from './shortcuts';
import './configs.css';

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

// ---- Theme: light or dark, the person's choice remembered, else the system's ----------------

type Theme = 'light' | 'dark';
const THEME_KEY = 'kafka-playground:theme';

function savedTheme(): Theme | null {
  try {
    const saved = localStorage.getItem(THEME_KEY);
    return saved === 'light' || saved === 'dark' ? saved : null;
  } catch {
    return null;
  }
}
const systemTheme = (): Theme => (typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
const applyTheme = (theme: Theme) => { document.documentElement.dataset.theme = theme; };

// Set before the first render, so the page never flashes the other theme.
if (typeof document !== 'undefined') applyTheme(savedTheme() ?? systemTheme());

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(() => savedTheme() ?? systemTheme());
  useEffect(() => applyTheme(theme), [theme]);
  useEffect(() => {
    // With no saved choice, follow the system as it changes.
    if (typeof matchMedia !== 'function') return;
    const query = matchMedia('(prefers-color-scheme: dark)');
    const follow = () => { if (!savedTheme()) setTheme(query.matches ? 'dark' : 'light'); };
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }, []);
  const toggle = () => {
    const next: Theme = theme === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // Not remembered (storage unavailable); it still applies now.
    }
    setTheme(next);
  };
  return (
    <button type="button" className="theme-toggle" aria-pressed={theme === 'dark'} onClick={toggle} title="Switch between the light and dark themes (remembered in this browser)">
      <span aria-hidden="true">{theme === 'dark' ? '☾' : '☀'}</span> Dark theme
    </button>
  );
}

function ShortcutStatusLine() {
  const { pending, message } = useShortcuts();
  const text = pending === 'k' ? 'Kill which broker? Press its number (Esc cancels)'
    : pending === 'r' ? 'Restart which broker? Press its number (Esc cancels)'
      : message;
  return <span className="shortcut-status" role="status" aria-live="polite">{text}</span>;
}

export function Header() {
  return (
    <header className="header">
      <div className="header-title">
        <h1>Kafka Playground</h1>
        <ClusterStatus />
      </div>
      <TimeControls />
      <InFlightLine />
      <div className="header-tools">
        <ShortcutStatusLine />
        <ThemeToggle />
        <button type="button" className="help-button" onClick={openHelp} aria-haspopup="dialog" aria-keyshortcuts="?" title="Keyboard shortcuts (?)">
          <span aria-hidden="true">?</span><span className="visually-hidden">Keyboard shortcuts</span>
        </button>
      </div>
      <HelpOverlay />
    </header>
  );
}
