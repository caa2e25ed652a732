/** Metrics under Kafka's JMX names (being built). */
export function MetricsPanel() {
  return (
    <section className="panel" aria-labelledby="metrics-title">
      <div className="panel-head"><h2 id="metrics-title">Metrics</h2></div>
    </section>
  );
}
