import { describe, expect, it, vi } from 'vitest';
import { checkSharedScenario, decodeScenario, encodeScenario, MAX_JSON_BYTES, ScenarioLinkError, scenarioFromJson, scenarioParam, scenarioToJson, shareUrl } from './codec';
import { SAMPLE_SCENARIO as sample } from './sample';

const b64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

async function deflated(text: string): Promise<string> {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return Buffer.from(await new Response(stream).arrayBuffer()).toString('base64url');
}

async function refusal(hash: string): Promise<string> {
  const error = await decodeScenario(hash).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ScenarioLinkError);
  return (error as Error).message;
}

describe('the URL hash', () => {
  it('round-trips a scenario, compressed and plain', async () => {
    const packed = await encodeScenario(sample);
    expect(packed).toMatch(/^#s=v1z\.[A-Za-z0-9_-]+$/);
    expect(await decodeScenario(packed)).toEqual(sample);
    const plain = await encodeScenario(sample, { compress: false });
    expect(plain).toMatch(/^#s=v1\.[A-Za-z0-9_-]+$/);
    expect(await decodeScenario(plain)).toEqual(sample);
    // Compact: well under what browsers and chat apps keep of a link.
    expect(packed.length).toBeLessThan(plain.length);
    expect(packed.length).toBeLessThan(1000);
  });

  it('finds the scenario among other hash parameters, and builds the link from the page address', async () => {
    const hash = await encodeScenario(sample);
    const param = hash.slice('#s='.length);
    expect(scenarioParam(`#/lab?x=1&s=${param}&y=2`)).toBe(param);
    expect(await decodeScenario(`#theme=dark&s=${param}`)).toEqual(sample);
    expect(scenarioParam('#/tutorials/3')).toBeNull();
    expect(shareUrl('https://x.github.io/kafka/?a=1#old', hash)).toBe(`https://x.github.io/kafka/?a=1${hash}`);
  });

  it('refuses a link without a scenario, cut, altered or from a newer playground, saying why', async () => {
    const good = await encodeScenario(sample, { compress: false });
    expect(await refusal('#other=1')).toBe('The link has no scenario in it (no "s=" after the #)');
    expect(await refusal('#s=hello')).toContain('it should start "v1." or "v1z."');
    expect(await refusal('#s=v2.abc')).toBe('The link holds a scenario in format v2; this playground reads v1 (the link was made by a newer playground)');
    expect(await refusal('#s=v1.abc$def')).toContain('characters base64url does not use');
    expect(await refusal(good.slice(0, good.length - 20))).toMatch(/^The link's scenario is not valid JSON/);
    const packed = await encodeScenario(sample);
    expect(await refusal(packed.slice(0, packed.length - 12))).toContain('could not be decompressed');
    expect(await refusal(`#s=v1.${b64url('{"version":1,"cluster":{"brokers":0,"controllers":1}}')}`))
      .toBe('The link\'s scenario is not a scenario this playground can build: cluster.brokers: must be an integer from 1 to 9, got 0');
    expect(await refusal(`#s=v1.${'A'.repeat(20_000)}`)).toContain('too long');
    expect(await refusal(`#s=v1.${Buffer.from([0xff, 0xfe, 0x00]).toString('base64url')}`)).toContain('not UTF-8 text');
  });

  it('stops inflating a small link that would decompress into a huge scenario', async () => {
    const bomb = `{"version":1,"name":"${' '.repeat(MAX_JSON_BYTES * 2)}"}`;
    const link = `#s=v1z.${await deflated(bomb)}`;
    expect(link.length).toBeLessThan(2000);
    expect(await refusal(link)).toContain('too large');
  });

  it('never executes what a link holds: it is parsed as JSON, checked, and kept as text', async () => {
    const evil = vi.spyOn(globalThis, 'eval');
    const name = '<img src=x onerror="window.pwned=1">';
    const scenario = await decodeScenario(await encodeScenario({ ...sample, name }));
    expect(scenario.name).toBe(name);
    // Code in a place that takes data is refused, not run.
    const withCode = { ...sample, clients: [{ kind: 'producer', topic: 'orders', ratePerSec: 'function(){return 1}' }] };
    expect(await refusal(`#s=v1.${b64url(JSON.stringify(withCode))}`)).toContain('ratePerSec must be a number');
    const withHook = { ...sample, onLoad: 'fetch("https://evil")' };
    expect(await refusal(`#s=v1.${b64url(JSON.stringify(withHook))}`)).toContain('unknown field "onLoad"');
    expect(evil).not.toHaveBeenCalled();
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    evil.mockRestore();
  });
});

describe('checkSharedScenario', () => {
  it('offers the scenario, reports a broken link, and is silent without one; it only reads the hash', async () => {
    const hash = await encodeScenario(sample);
    const reads: string[] = [];
    const location = new Proxy({ hash }, { get: (target, key) => { reads.push(String(key)); return target[key as 'hash']; } });
    expect(await checkSharedScenario(location)).toEqual({ kind: 'scenario', scenario: sample });
    expect(new Set(reads)).toEqual(new Set(['hash']));
    expect(await checkSharedScenario({ hash: '' })).toEqual({ kind: 'none' });
    expect(await checkSharedScenario({ hash: '#s=v1.%%%' })).toMatchObject({ kind: 'error', message: expect.stringContaining('damaged') });
  });
});

describe('JSON export and import', () => {
  it('round-trips through a file\'s text', () => {
    const text = scenarioToJson(sample);
    expect(text).toContain('\n  "cluster": {');
    expect(scenarioFromJson(text)).toEqual(sample);
  });

  it('refuses what is not JSON or not a scenario, naming the file', () => {
    expect(() => scenarioFromJson('{ version: 1 }', 'crash.json')).toThrow(/^crash\.json is not valid JSON/);
    expect(() => scenarioFromJson('[]', 'crash.json')).toThrow('crash.json is not a scenario this playground can build: scenario: must be an object, got []');
    expect(() => scenarioFromJson(JSON.stringify({ ...sample, version: 3 }), 'crash.json')).toThrow('version: this playground reads scenario version 1, got 3');
  });
});
