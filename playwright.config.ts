import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

// Runs against the BUILT site: `npm run test:e2e` builds with `vite build --base=./` first,
// then this serves dist/ with `vite preview`. E2E_PORT and E2E_DIST let several builds be
// tested side by side (e.g. `vite build --base=./ --outDir /tmp/dist-a`).
const PORT = Number(process.env.E2E_PORT ?? 4173);
const DIST = process.env.E2E_DIST ?? 'dist';
const CI = !!process.env.CI;

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  workers: 1, // each test starts several Web Workers; small machines have 2 cores
  retries: CI ? 1 : 0,
  forbidOnly: CI,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://localhost:${PORT}/`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        // undefined lets Playwright use its own browser
        launchOptions: { executablePath: findChromium() ?? undefined, args: CHROMIUM_ARGS },
      },
    },
  ],
  webServer: {
    command: `npx vite preview --base=./ --outDir ${DIST} --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}/`,
    reuseExistingServer: !CI,
    timeout: 60_000,
  },
});
