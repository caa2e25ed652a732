import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precachePlugin } from './src/hosting/precachePlugin.js';

// base './' so the built site works from any path (a GitHub Pages project page, a subfolder).
export default defineConfig({
  base: './',
  // precachePlugin: writes every built file into the service worker (public/sw.js) for offline use.
  plugins: [react(), precachePlugin()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // bench.html: the limits page of `npm run bench` (scripts/bench.mjs).
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
});
