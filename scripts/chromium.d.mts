/** Flags for a quiet, offline-friendly Chromium (headless is set by Playwright itself). */
export declare const CHROMIUM_ARGS: string[];
/** System locations tried after Playwright's own browser. */
export declare const SYSTEM_CHROMIUM_PATHS: string[];
/** A usable Chromium executable ($CHROMIUM_PATH, Playwright's own, then the system's), or null. Never installs. */
export declare function findChromium(): string | null;
