import { useEffect, useRef, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { SHORTCUTS, closeHelp, useHelpOpen } from './shortcuts';
import './configs.css';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Every keyboard shortcut, in a modal dialog opened with "?" (or the header's ? button). Escape
 * or Close shuts it and gives focus back to where it was; Tab stays inside while it is open.
 */
export function HelpOverlay() {
  const open = useHelpOpen();
  const dialog = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        closeHelp();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      if (previous && document.contains(previous)) previous.focus();
    };
  }, [open]);

  if (!open) return null;

  /** Focus trap: Tab from the last control goes to the first, Shift+Tab from the first to the last. */
  const trap = (event: ReactKeyboardEvent) => {
    if (event.key !== 'Tab' || !dialog.current) return;
    const items = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    const inside = dialog.current.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="help-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) closeHelp(); }}>
      <div ref={dialog} className="help-dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" aria-describedby="help-note" onKeyDown={trap}>
        <div className="help-head">
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button ref={closeButton} type="button" className="help-close" onClick={closeHelp}>Close <kbd>Esc</kbd></button>
        </div>
        <p id="help-note" className="muted small">They work anywhere on the page except while you type in a field. Time shortcuts act on the cluster clock, which every Kafka timeout runs on.</p>
        {SHORTCUTS.map(({ group, items }) => (
          <table key={group} className="help-table">
            <caption>{group}</caption>
            <thead>
              <tr><th scope="col">Keys</th><th scope="col">Does</th></tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.keys.join(' ') + item.action}>
                  <td className="help-keys">
                    {item.keys.map((key, i) => (
                      <span key={key}>{i > 0 && <span className="muted">{item.keys.length === 2 && /\d/.test(key) ? ' then ' : ' or '}</span>}<kbd>{key}</kbd></span>
                    ))}
                  </td>
                  <td>{item.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </div>
  );
}
