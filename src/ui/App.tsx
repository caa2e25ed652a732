import type { Playground } from '../playground';
import { ClientsPanel } from './ClientsPanel';
import { ClusterView } from './ClusterView';
import { ConfigsPanel } from './ConfigsPanel';
import { PlaygroundContext } from './context';
import { CreateTopicForm } from './CreateTopicForm';
import { EventLog } from './EventLog';
import { GroupsView } from './GroupsView';
import { Header } from './Header';
import { LiveRegion } from './LiveRegion';
import { MessageBrowser } from './MessageBrowser';
import { MetadataLog } from './MetadataLog';
import { MetricsPanel } from './MetricsPanel';
import { ProduceForm } from './ProduceForm';
import { TopicsTable } from './TopicsTable';
import { TutorialPanel } from '../tutorials/TutorialPanel';
import { ExperimentsPanel } from '../experiments/ExperimentsPanel';
import { ScenarioPanel, SharedScenarioBanner } from '../scenario/ScenarioPanel';
import { UpdateNote } from '../hosting/UpdateNote';
import './stage.css';

/**
 * The page: the stage (the cluster drawn live) across the top, where a laptop screen shows it
 * whole; below it the panels, the tables, logs and configs in the wide column, the client
 * applications, forms, metrics and the metadata log beside them, under the tutorials and
 * experiments a learner comes for. Each part that follows the cluster is a LiveRegion: scrolled
 * out of sight, it re-renders rarely and the browser skips drawing it. A shared scenario link is offered above the stage (built
 * only on a click); a new version of the site is announced, never forced. The help overlay is
 * the header's.
 */
export function App({ playground }: { playground: Playground }) {
  return (
    <PlaygroundContext.Provider value={playground}>
      <Header />
      <UpdateNote />
      <SharedScenarioBanner />
      <main className="layout">
        <div className="col-stage">
          <LiveRegion><ClusterView /></LiveRegion>
        </div>
        <div className="col-main">
          <LiveRegion><TopicsTable /></LiveRegion>
          <LiveRegion><GroupsView /></LiveRegion>
          <LiveRegion><MessageBrowser /></LiveRegion>
          <LiveRegion><EventLog /></LiveRegion>
          <LiveRegion><ConfigsPanel /></LiveRegion>
        </div>
        <aside className="col-side">
          <TutorialPanel />
          <ExperimentsPanel />
          <LiveRegion><ClientsPanel /></LiveRegion>
          <LiveRegion><ProduceForm /></LiveRegion>
          <LiveRegion><CreateTopicForm /></LiveRegion>
          <LiveRegion><MetricsPanel /></LiveRegion>
          <ScenarioPanel />
          <LiveRegion><MetadataLog /></LiveRegion>
        </aside>
      </main>
    </PlaygroundContext.Provider>
  );
}
