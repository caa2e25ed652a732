// Shared Chromium lookup for playwright.config.ts, scripts/ensure-chromium.mjs and the benchmark.
// No installing here: findChromium() only looks.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Flags for a quiet, offline-friendly Chromium (headless is set by Playwright itself). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** System locations tried after Playwright's own browser. */
export const SYSTEM_CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/** Path of the Chromium that Playwright downloads (`npx playwright install chromium`), or null. */
function playwrightChromium() {
  for (const pkg of ['playwright-core', '@playwright/test']) {
    try {
      const { chromium } = require(pkg);
      const path = chromium.executablePath();
      if (path && existsSync(path)) return path;
      return null;
    } catch {
      // package missing (e.g. before `npm ci`): try the next one
    }
  }
  return null;
}

/**
 * A usable Chromium executable: $CHROMIUM_PATH if set and present, then Playwright's own,
 * then the system's. Returns null when none is found; never installs anything.
 * @returns {string | null}
 */
export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const own = playwrightChromium();
  if (own) return own;
  return SYSTEM_CHROMIUM_PATHS.find((path) => existsSync(path)) ?? null;
}
