import { ConfigError } from '@clade/core';
import { formatShard, parseShard, shardItems } from '../shard';

describe('shards', () => {
  it('parses i/n and refuses anything else with the argument named', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(formatShard(parseShard(' 0/1 '))).toBe('0/1');
    for (const bad of ['5/5', '1/0', '-1/3', 'a/b', '1', '1/3/4', '0/10001']) {
      expect(() => parseShard(bad, '--shard')).toThrow(ConfigError);
      expect(() => parseShard(bad, '--shard')).toThrow(/--shard: ".*" is not a shard/);
    }
  });

  it('splits any list into contiguous shards that cover it once, sizes within one', () => {
    for (const length of [0, 1, 4, 7, 23]) {
      const items = Array.from({ length }, (_, i) => i);
      for (const count of [1, 2, 3, 5, 8]) {
        const parts = Array.from({ length: count }, (_, index) => shardItems(items, { index, count }));
        expect(parts.flat()).toEqual(items);
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });
});
