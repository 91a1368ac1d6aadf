"""Deterministic pseudo-random values that TypeScript reproduces bit for bit.

u(seed, i, j) = lowbias32(lowbias32(lowbias32(seed) ^ i) + j) / 2**32, all uint32 arithmetic.
The TS twin is src/__tests__/helpers/hashed.ts. Only exactly rounded IEEE operations
(+, -, *, /) are applied afterwards, in the same order on both sides, so features and weights
agree exactly without committing them.
"""
import numpy as np

M32 = np.uint64(0xFFFFFFFF)


def lowbias32(x):
    x = np.asarray(x, dtype=np.uint64) & M32
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & M32
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & M32
    x ^= x >> np.uint64(16)
    return x


def hashed_uniform(seed, i, j):
    """float64 in [0, 1); i, j broadcast."""
    a = lowbias32(np.uint64(seed))
    b = lowbias32(a ^ np.asarray(i, dtype=np.uint64))
    c = lowbias32((b + np.asarray(j, dtype=np.uint64)) & M32)
    return c.astype(np.float64) / 4294967296.0


def hashed_features(seed, rows, dims, mix=0.8, shift=0.0):
    """float32 [rows, dims]: noise + a rank-2 structured part + a per-column shift.

    x[i,j] = f32( (u(s,i,j) - 0.5) + mix*((u(s+1,i,0)-0.5)*(u(s+2,0,j)-0.5)
             + (u(s+1,i,1)-0.5)*(u(s+2,1,j)-0.5)) + shift*u(s+3,0,j) )
    evaluated left to right in float64.
    """
    i = np.arange(rows, dtype=np.uint64)[:, None]
    j = np.arange(dims, dtype=np.uint64)[None, :]
    noise = hashed_uniform(seed, i, j) - 0.5
    p0 = (hashed_uniform(seed + 1, i, 0) - 0.5) * (hashed_uniform(seed + 2, 0, j) - 0.5)
    p1 = (hashed_uniform(seed + 1, i, 1) - 0.5) * (hashed_uniform(seed + 2, 1, j) - 0.5)
    x = noise + mix * (p0 + p1) + shift * hashed_uniform(seed + 3, 0, j)
    return x.astype(np.float32)
