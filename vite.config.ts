import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// base './' so the built site works from any path (a GitHub Pages project page, a subfolder).
export default defineConfig({
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // bench.html: the limits page of `npm run bench` (scripts/bench.mjs).
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
});
