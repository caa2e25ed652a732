/**
 * A scenario in a URL hash and in a .json file. The hash is `#s=v1.<base64url JSON>` or, where
 * the browser has CompressionStream, `#s=v1z.<base64url deflate-raw JSON>` when that is shorter.
 * Decoding only parses JSON and validates it (validateScenario): nothing in a link is evaluated,
 * and nothing is built until the user clicks.
 */
import { ScenarioError, validateScenario, type Scenario } from './scenario';

/** The hash parameter that carries a scenario. */
export const HASH_PARAM = 's';
/** The link format's version (the scenario inside carries its own). */
export const LINK_VERSION = 'v1';
/** Longer links are refused before decoding: browsers and chat apps cut them anyway. */
export const MAX_ENCODED_LENGTH = 16_000;
/** The most a decompressed scenario may weigh, so a small link cannot inflate into a huge one. */
export const MAX_JSON_BYTES = 200_000;

/** A link or file that does not hold a usable scenario; the message says why, for the UI to show. */
export class ScenarioLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioLinkError';
  }
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new ScenarioLinkError('The link\'s scenario is damaged: it has characters base64url does not use (was the link cut or changed?)');
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  } catch {
    throw new ScenarioLinkError('The link\'s scenario is damaged: it is not valid base64url (was the link cut?)');
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const canCompress = (): boolean => typeof CompressionStream === 'function' && typeof DecompressionStream === 'function';

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Inflates, stopping at MAX_JSON_BYTES. */
async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_JSON_BYTES) {
        void reader.cancel().catch(() => undefined);
        throw new ScenarioLinkError(`The link's scenario is too large: more than ${MAX_JSON_BYTES} bytes once decompressed`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof ScenarioLinkError) throw error;
    throw new ScenarioLinkError('The link\'s scenario is damaged: it could not be decompressed (was the link cut?)');
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * The URL hash for a scenario ('#s=v1z.…'), validated first (a scenario that could not be opened
 * is never shared). Compressed when CompressionStream exists and that is shorter.
 */
export async function encodeScenario(scenario: Scenario, options: { compress?: boolean } = {}): Promise<string> {
  const json = JSON.stringify(validateScenario(scenario));
  const bytes = new TextEncoder().encode(json);
  const plain = `#${HASH_PARAM}=${LINK_VERSION}.${toBase64Url(bytes)}`;
  if (options.compress === false || !canCompress()) return plain;
  const packed = `#${HASH_PARAM}=${LINK_VERSION}z.${toBase64Url(await deflate(bytes))}`;
  return packed.length < plain.length ? packed : plain;
}

/** The value of `s=` in a hash ('#s=…', '#/x?s=…&y', '#a=1&s=…'), or null when there is none. */
export function scenarioParam(hash: string): string | null {
  const body = hash.replace(/^#/, '');
  for (const part of body.split(/[?&]/)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === HASH_PARAM) return part.slice(eq + 1);
  }
  return null;
}

/** Parses JSON text into a scenario (never evaluating it), with a clear error when it is not one. */
export function parseScenarioJson(text: string, where: string): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScenarioLinkError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return validateScenario(value);
  } catch (error) {
    if (error instanceof ScenarioError) throw new ScenarioLinkError(`${where} is not a scenario this playground can build: ${error.message}`);
    throw error;
  }
}

/** The scenario in a URL hash (all of it, '#s=…'), validated; a ScenarioLinkError says what is wrong. */
export async function decodeScenario(hash: string): Promise<Scenario> {
  const param = scenarioParam(hash);
  if (param === null) throw new ScenarioLinkError('The link has no scenario in it (no "s=" after the #)');
  if (param.length > MAX_ENCODED_LENGTH) throw new ScenarioLinkError(`The link's scenario is too long: ${param.length} characters, at most ${MAX_ENCODED_LENGTH}`);
  const match = /^v(\d+)(z?)\.(.*)$/.exec(decodeURIComponentSafe(param));
  if (!match) throw new ScenarioLinkError('The link\'s scenario is damaged: it should start "v1." or "v1z." (was the link cut?)');
  const [, version, compressed, payload] = match;
  if (`v${version}` !== LINK_VERSION) {
    throw new ScenarioLinkError(`The link holds a scenario in format v${version}; this playground reads ${LINK_VERSION}${Number(version) > 1 ? ' (the link was made by a newer playground)' : ''}`);
  }
  let bytes = fromBase64Url(payload);
  if (compressed) {
    if (!canCompress()) throw new ScenarioLinkError('The link\'s scenario is compressed, and this browser has no DecompressionStream to read it');
    bytes = await inflate(bytes);
  } else if (bytes.byteLength > MAX_JSON_BYTES) {
    throw new ScenarioLinkError(`The link's scenario is too large: more than ${MAX_JSON_BYTES} bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ScenarioLinkError('The link\'s scenario is damaged: it is not UTF-8 text');
  }
  return parseScenarioJson(text, 'The link\'s scenario');
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A scenario as a .json file's text: indented, with only the checked fields. */
export function scenarioToJson(scenario: Scenario): string {
  return `${JSON.stringify(validateScenario(scenario), null, 2)}\n`;
}

/** A .json file's text read back as a scenario, with the same validation as a link. */
export function scenarioFromJson(text: string, fileName = 'The file'): Scenario {
  if (text.length > MAX_JSON_BYTES) throw new ScenarioLinkError(`${fileName} is too large for a scenario: ${text.length} bytes, at most ${MAX_JSON_BYTES}`);
  return parseScenarioJson(text, fileName);
}

export type SharedScenarioCheck =
  | { kind: 'none' }
  | { kind: 'scenario'; scenario: Scenario }
  | { kind: 'error'; message: string };

/**
 * What the page's URL offers: no scenario, a scenario for the UI to describe and build when the
 * user clicks "Build this scenario", or the reason the link cannot be used. Builds nothing.
 */
export async function checkSharedScenario(location: { hash: string }): Promise<SharedScenarioCheck> {
  if (scenarioParam(location.hash) === null) return { kind: 'none' };
  try {
    return { kind: 'scenario', scenario: await decodeScenario(location.hash) };
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

/** The page's address with a scenario's hash in place of the current one. */
export function shareUrl(href: string, hash: string): string {
  const at = href.indexOf('#');
  return `${at < 0 ? href : href.slice(0, at)}${hash}`;
}
