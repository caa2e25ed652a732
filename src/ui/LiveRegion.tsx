import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { pageView, usePlayground, ViewContext } from './context';
import { gatedView } from './liveView';

/**
 * A part of the page that follows the cluster at full rate only while it is on screen: scrolled
 * away, it refreshes every UI_HIDDEN_REFRESH_MS (and the browser skips its layout and paint,
 * .live-region's content-visibility); back in sight, it catches up at once.
 */
export function LiveRegion({ children }: { children: ReactNode }) {
  const playground = usePlayground();
  const view = useMemo(() => gatedView(pageView(playground.store)), [playground]);
  const ref = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof IntersectionObserver === 'undefined') return;
    // One callback may bring several changes of this one element: the last is the current.
    const observer = new IntersectionObserver((entries) => view.setOpen(entries[entries.length - 1].isIntersecting), { threshold: 0 });
    observer.observe(element);
    return () => {
      observer.disconnect();
      view.setOpen(true);
    };
  }, [view]);
  return (
    <div ref={ref} className="live-region">
      <ViewContext.Provider value={view}>{children}</ViewContext.Provider>
    </div>
  );
}
