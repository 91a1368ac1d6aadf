import { parseThreadsChoice, WASM_MAX_THREADS } from '../lib/threads-choice';

describe('parseThreadsChoice (?threads=)', () => {
  it('defaults to every logical core, capped at the wasm worker pool', () => {
    expect(parseThreadsChoice(null, 2)).toBe(2);
    expect(parseThreadsChoice('', 6)).toBe(6);
    expect(parseThreadsChoice(null, 32)).toBe(WASM_MAX_THREADS);
    expect(parseThreadsChoice(null, 0)).toBe(1); // navigator.hardwareConcurrency unknown
  });

  it('takes an explicit count in 1..8 whatever the core count', () => {
    expect(parseThreadsChoice('1', 16)).toBe(1);
    expect(parseThreadsChoice('8', 2)).toBe(8);
  });

  it('refuses anything else with one line naming the parameter and value', () => {
    for (const bad of ['0', '9', '1.5', 'two', '-1'])
      expect(() => parseThreadsChoice(bad, 4)).toThrow(`demo: ?threads= must be an integer from 1 to 8, got '${bad}'.`);
  });
});
