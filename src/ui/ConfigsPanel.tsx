import './configs.css';

/** Topic configs (editable), broker timeouts and the client settings reference. A first version. */
export function ConfigsPanel() {
  return (
    <section className="panel configs-panel" aria-labelledby="configs-title">
      <h2 id="configs-title">Configs</h2>
    </section>
  );
}
