import { useSyncExternalStore } from 'react';
import { applyUpdate, onUpdateAvailable, waitingWorker } from './registerServiceWorker';
import './hosting.css';

/**
 * A quiet note once a new version of the site is installed and waiting (nothing otherwise). It
 * never reloads by itself: the new version starts on the next visit, or now on the user's click.
 */
export function UpdateNote() {
  const waiting = useSyncExternalStore(onUpdateAvailable, waitingWorker, () => null);
  if (!waiting) return null;
  return (
    <p className="update-note" role="status">
      A new version of the playground is available. It starts on your next visit, or{' '}
      <button type="button" className="small-button" onClick={applyUpdate}>reload now</button>
      {' '}(the cluster&apos;s logs are kept).
    </p>
  );
}
