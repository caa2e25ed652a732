import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

// Build-time only (imported by vite.config.ts, runs in Node): writes the precache list into the
// service worker that public/sw.js becomes in the output.

export const SERVICE_WORKER_FILE = 'sw.js';
const ENTRIES_MARKER = '/* PRECACHE_ENTRIES */ []';
const VERSION_MARKER = "/* PRECACHE_VERSION */ 'dev'";

/**
 * What the service worker precaches: every file the site can load, sorted. Source maps are left
 * out (only DevTools asks for them), and so is the service worker itself.
 */
export function precacheEntries(files: Iterable<string>): string[] {
  return [...new Set(files)]
    .filter((file) => !file.endsWith('.map') && file !== SERVICE_WORKER_FILE && !file.split('/').some((part) => part.startsWith('.')))
    .sort();
}

/** A hash of every entry's name and bytes: a new build with any change gets a new version. */
export function precacheVersion(entries: readonly string[], read: (file: string) => Uint8Array | string): string {
  const hash = createHash('sha256');
  for (const entry of entries) hash.update(entry).update('\0').update(read(entry)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The service worker's source with the list and version written in; throws if a marker is missing. */
export function injectPrecache(source: string, entries: readonly string[], version: string): string {
  for (const marker of [ENTRIES_MARKER, VERSION_MARKER]) {
    if (source.split(marker).length !== 2) throw new Error(`${SERVICE_WORKER_FILE}: expected the marker ${marker} exactly once`);
  }
  return source.replace(ENTRIES_MARKER, () => JSON.stringify(entries, null, 2)).replace(VERSION_MARKER, () => JSON.stringify(version));
}

/** Files under dir, as forward-slash paths relative to it. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/**
 * Takes the file names from the bundle Vite wrote (pages, chunks, CSS, and the Workers' scripts
 * and chunks, which Vite emits into it) plus public/, not from listing the output directory, which
 * outside the project root is not emptied and may hold stale files.
 */
export function precachePlugin(): Plugin {
  let config: ResolvedConfig;
  const written = new Set<string>();
  return {
    name: 'kafka-playground:precache',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    writeBundle(_options, bundle) {
      for (const file of Object.keys(bundle)) written.add(file);
    },
    // After the bundle is written and public/ copied.
    closeBundle() {
      if (written.size === 0) return; // a failed build wrote nothing
      const outDir = resolve(config.root, config.build.outDir);
      const target = join(outDir, SERVICE_WORKER_FILE);
      if (!existsSync(target)) throw new Error(`precache: ${target} missing (is public/${SERVICE_WORKER_FILE} copied?)`);
      const publicFiles = config.build.copyPublicDir && config.publicDir ? listFiles(config.publicDir) : [];
      const entries = precacheEntries([...written, ...publicFiles]);
      const version = precacheVersion(entries, (file) => readFileSync(join(outDir, file)));
      writeFileSync(target, injectPrecache(readFileSync(target, 'utf8'), entries, version));
      config.logger.info(`precache: ${SERVICE_WORKER_FILE} lists ${entries.length} files (version ${version})`);
    },
  };
}
