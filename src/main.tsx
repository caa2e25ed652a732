import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerServiceWorker } from './hosting/registerServiceWorker';
import { Playground } from './playground';
import { App } from './ui/App';
import { reportStartError } from './ui/context';
import './ui/styles.css';

const playground = new Playground();
// Before start(): scripts and tests may wait on `window.playground.ready` from the first moment.
window.playground = playground.api();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App playground={playground} />
  </StrictMode>,
);

playground.start().catch(reportStartError);
// Offline after the first visit (built site only); a new version waits for the next visit.
registerServiceWorker();
