#!/usr/bin/env node
// Finds a usable Chromium and prints its path on stdout (and only that: the rest goes to stderr).
// If none is found and we are root on Debian/Ubuntu, installs the distro's chromium with apt-get.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from './chromium.mjs';

function report(path) {
  const res = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const version = (res.stdout ?? '').trim();
  console.error(`Chromium: ${path}${version ? ` (${version})` : ''}`);
  console.log(path);
}

function hasAptGet() {
  const res = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' });
  return res.status === 0;
}

let path = findChromium();
if (path) {
  report(path);
  process.exit(0);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const isDebian = process.platform === 'linux' && existsSync('/etc/debian_version');
if (isRoot && isDebian && hasAptGet()) {
  console.error('No Chromium found: installing it with apt-get (apt-get update && apt-get install -y chromium)...');
  // apt's stdout goes to our stderr so that stdout stays just the path.
  const res = spawnSync('sh', ['-c', 'apt-get update && apt-get install -y chromium'], {
    stdio: ['inherit', process.stderr.fd, 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (res.status !== 0) console.error(`apt-get failed (exit ${res.status ?? res.signal}).`);
  path = findChromium();
  if (path) {
    report(path);
    process.exit(0);
  }
}

console.error(
  [
    'No Chromium found for the end-to-end tests and the benchmark.',
    'Install one of:',
    '  - Playwright\'s own:  npx playwright install chromium   (needs network access to Playwright\'s CDN)',
    '  - your distro\'s:     e.g. sudo apt-get install chromium   (Debian/Ubuntu), sudo dnf install chromium (Fedora)',
    'or point CHROMIUM_PATH at a Chromium/Chrome executable.',
    'Looked for Playwright\'s Chromium, /usr/bin/chromium, /usr/bin/chromium-browser and /usr/bin/google-chrome.',
  ].join('\n'),
);
process.exit(1);
