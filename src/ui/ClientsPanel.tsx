import { selectClients } from '../store/selectors';
import { ConsumerForm } from './ConsumerForm';
import { useDerived, usePlayground } from './context';
import './time.css';

/** Client applications, each in its own Web Worker: the list with Stop and Kill, and the forms to add one. */
export function ClientsPanel() {
  const playground = usePlayground();
  const clients = useDerived((s) => [s.clients], selectClients);
  return (
    <section className="panel clients-panel" aria-labelledby="clients-title">
      <h2 id="clients-title">Client applications</h2>
      <ul className="clients-list">
        {clients.map((c) => (
          <li key={c.id}>
            <span className="client-id">{c.id}</span> <span className="muted">{c.kind} · {c.status}</span>
            {c.status === 'running' && (
              <>
                {' '}<button type="button" onClick={() => void playground.stopClient(c.id)}>Stop</button>
                {' '}<button type="button" onClick={() => playground.killClient(c.id)}>Kill</button>
              </>
            )}
          </li>
        ))}
      </ul>
      <ConsumerForm />
    </section>
  );
}
