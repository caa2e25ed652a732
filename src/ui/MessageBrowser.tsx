/** The message browser: a partition's records as a consumer reads them (being built). */
export function MessageBrowser() {
  return (
    <section className="panel" aria-labelledby="browser-title">
      <div className="panel-head"><h2 id="browser-title">Message browser</h2></div>
    </section>
  );
}
