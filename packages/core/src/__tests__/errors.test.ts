import { CladeError, ConfigError, DivergedError, IOError, NotImplementedError, ShapeError, isUserError } from '../index';

describe('errors', () => {
  it('keep their names when a minifier renames the classes', () => {
    const classes = { ConfigError, ShapeError, IOError, DivergedError, NotImplementedError } as const;
    for (const [name, cls] of Object.entries(classes)) {
      const original = Object.getOwnPropertyDescriptor(cls, 'name')!;
      Object.defineProperty(cls, 'name', { value: 'e' }); // what a minifier leaves
      try {
        const e = new cls('boom');
        expect([e.name, `${e}`]).toEqual([name, `${name}: boom`]);
      } finally {
        Object.defineProperty(cls, 'name', original);
      }
    }
  });

  it('user errors are the one-line kinds; a missing capability and plain errors are bugs', () => {
    for (const e of [new ConfigError('a'), new ShapeError('b'), new IOError('c'), new DivergedError('d')]) {
      expect(isUserError(e)).toBe(true);
      expect(e).toBeInstanceOf(CladeError);
    }
    expect(isUserError(new NotImplementedError('n'))).toBe(false);
    expect(isUserError(new Error('x'))).toBe(false);
    expect(new IOError('c', { cause: 1 }).cause).toBe(1);
  });
});
