import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { injectPrecache, precacheEntries, precacheVersion } from './precachePlugin';

describe('precacheEntries', () => {
  it('keeps every file the site can load, sorted, without source maps, dotfiles or the worker itself', () => {
    expect(precacheEntries([
      'index.html', 'assets/main-abc.js', 'assets/main-abc.js.map', 'assets/broker.worker-x1.js', 'assets/lz4-y2.js',
      'sw.js', 'favicon.svg', '.well-known/thing', 'assets/main-abc.js', 'assets/main-def.css',
    ])).toEqual(['assets/broker.worker-x1.js', 'assets/lz4-y2.js', 'assets/main-abc.js', 'assets/main-def.css', 'favicon.svg', 'index.html']);
  });
});

describe('precacheVersion', () => {
  const files: Record<string, string> = { 'index.html': '<html>', 'favicon.svg': '<svg>' };
  const read = (file: string) => files[file];

  it('changes when any file\'s bytes or name change, and only then', () => {
    const base = precacheVersion(['favicon.svg', 'index.html'], read);
    expect(precacheVersion(['favicon.svg', 'index.html'], read)).toBe(base);
    expect(precacheVersion(['favicon.svg', 'index.html'], (f) => (f === 'index.html' ? '<html> ' : read(f)))).not.toBe(base);
    expect(precacheVersion(['index.html'], read)).not.toBe(base);
  });
});

describe('injectPrecache', () => {
  const source = readFileSync(new URL('../../public/sw.js', import.meta.url), 'utf8');

  it('writes the list and the version into public/sw.js', () => {
    const out = injectPrecache(source, ['assets/a-1.js', 'index.html'], 'abc123');
    expect(out).toContain('const PRECACHE = [\n  "assets/a-1.js",\n  "index.html"\n];');
    expect(out).toContain('const VERSION = "abc123";');
    expect(out).not.toContain('PRECACHE_ENTRIES');
  });

  it('refuses a worker without its markers, so a broken template fails the build', () => {
    expect(() => injectPrecache('const PRECACHE = [];', [], 'v')).toThrow(/marker/);
    // Replacement patterns such as $& in names are written literally.
    expect(injectPrecache(source, ['a$&b.js'], 'v')).toContain('"a$&b.js"');
  });
});
