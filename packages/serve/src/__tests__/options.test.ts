import { DEFAULT_MAX_PIXELS, parseModelSource, resolveServeOptions, serveOptionsFromFlags } from '../index';

describe('parseModelSource', () => {
  it('names a folder by its basename, or by name=dir', () => {
    expect(parseModelSource('models/default-clade')).toEqual({ name: 'default-clade', dir: 'models/default-clade' });
    expect(parseModelSource('clade=models/default-clade')).toEqual({ name: 'clade', dir: 'models/default-clade' });
    // A path with '=' after a slash is a folder, not name=dir: its basename is no name, so ask for one.
    expect(() => parseModelSource('/tmp/a=b')).toThrow(/model name 'a=b' must be letters.*give one as <name>=<dir>/);
    expect(parseModelSource('m=/tmp/a=b')).toEqual({ name: 'm', dir: '/tmp/a=b' });
  });

  it('refuses names that cannot go in a query and empty folders', () => {
    expect(() => parseModelSource('x=')).toThrow(/--model 'x=' names no folder/);
    expect(() => parseModelSource('/tmp/my model')).toThrow(/model name 'my model' must be letters, digits/);
  });
});

describe('resolveServeOptions', () => {
  it('fills documented defaults: the bundled model, loopback, 4 × workers of queue', () => {
    const o = resolveServeOptions({ workers: 3 });
    expect(o).toMatchObject({ host: '127.0.0.1', port: 8080, workers: 3, threads: 1, maxQueue: 12, timeoutMs: 30_000, maxPixels: DEFAULT_MAX_PIXELS });
    expect(o.models).toEqual([{ name: 'default-clade', dir: 'models/default-clade' }]);
  });

  it('refuses a name used twice, naming both folders', () => {
    const models = [parseModelSource('a/m'), parseModelSource('b/m')];
    expect(() => resolveServeOptions({ models })).toThrow(/the name 'm' is used twice \('a\/m' and 'b\/m'\)/);
  });
});

describe('serveOptionsFromFlags', () => {
  it('turns strings into numbers, none into no pixel limit', () => {
    const flags = { model: ['x=dir'], port: '0', workers: '2', maxQueue: '0', timeoutMs: '500', bodyLimit: '1024', maxPixels: 'none' };
    const o = serveOptionsFromFlags(flags);
    expect(o).toMatchObject({ models: [{ name: 'x', dir: 'dir' }], port: 0, workers: 2, maxQueue: 0, timeoutMs: 500, bodyLimit: 1024, maxPixels: Infinity });
  });

  it.each([
    [{ port: '80a' }, /--port must be an integer in 0\.\.65535 \(0: a free port\), got '80a'/],
    [{ port: '65536' }, /--port must be an integer in 0\.\.65535.*got 65536/],
    [{ workers: '0' }, /--workers must be an integer in 1\.\.256, got 0/],
    [{ workers: '-1' }, /--workers must be a positive integer, got '-1'/],
    [{ maxQueue: '1.5' }, /--max-queue must be an integer ≥ 0, got '1\.5'/],
    [{ timeoutMs: '0' }, /--timeout-ms must be a positive integer \(milliseconds\), got 0/],
    [{ bodyLimit: '10' }, /--body-limit must be an integer ≥ 64 \(bytes\), got 10/],
    [{ maxPixels: 'lots' }, /--max-pixels must be a positive integer or 'none', got 'lots'/],
    [{ host: '' }, /--host must be a host name or address/],
  ])('refuses %j with one line naming the flag and the value', (flags, message) => {
    expect(() => serveOptionsFromFlags(flags)).toThrow(message);
  });
});
