"""Goldens for the Fréchet distance, the statistics accumulator and KID.

Run from packages/metrics:  python3 scripts/goldens/fid_kid.py
Writes src/stats/__tests__/fixtures/fid_kid.json. Needs numpy and scipy only.

Features come from hashed.py (reproduced exactly in TS), so only results are stored.
Three references per case:
  - fd_exact: tr sqrt(S1 S2) as the nuclear norm of the centred cross-Gram matrix
    X1c X2c^T / sqrt((n1-1)(n2-1)) (singular values of an n1 x n2 matrix: well conditioned even
    when n < d, no square root of a singular matrix involved);
  - fd_pytorch_fid: pytorch-fid's calculate_frechet_distance verbatim (scipy.linalg.sqrtm,
    1e-6*I retry when non-finite, real part), with `offset_retry` recording whether it retried;
  - fd_eigh: numpy eigh/eigvalsh in the symmetric form with the same rank rule as the TS code.
"""
import json
import os
import warnings

import numpy as np
import scipy
import scipy.linalg as sl

from hashed import hashed_features

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'src', 'stats', '__tests__', 'fixtures', 'fid_kid.json')


def pytorch_fid_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    # pytorch-fid 0.3.0 fid_score.calculate_frechet_distance, reproduced.
    diff = mu1 - mu2
    covmean, _ = sl.sqrtm(sigma1.dot(sigma2), disp=False)
    retried = False
    if not np.isfinite(covmean).all():
        retried = True
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = sl.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError('Imaginary component {}'.format(np.max(np.abs(covmean.imag))))
        covmean = covmean.real
    tr_covmean = np.trace(covmean)
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean), retried


def exact_trace_sqrt(x1, x2):
    a = x1 - x1.mean(0)
    b = x2 - x2.mean(0)
    sv = np.linalg.svd(a @ b.T, compute_uv=False)
    return float(sv.sum() / np.sqrt((len(x1) - 1) * (len(x2) - 1)))


def eigh_trace_sqrt(s1, s2):
    eps = np.finfo(np.float64).eps
    lam, v = np.linalg.eigh(s1)
    keep = lam > len(lam) * eps * max(lam.max(), 0)
    f = (v[:, keep] * np.sqrt(lam[keep])).T
    m = f @ s2 @ f.T
    mu = np.linalg.eigvalsh((m + m.T) / 2)
    mu = mu[mu > len(mu) * eps * max(mu.max(), 0)] if len(mu) else mu
    return float(np.sqrt(mu).sum()), int(keep.sum())


def poly_kernel(a, b):
    d = a.shape[1]
    return (a @ b.T / d + 1) ** 3


def mmd2(x, y):
    m, n = len(x), len(y)
    kxx, kyy, kxy = poly_kernel(x, x), poly_kernel(y, y), poly_kernel(x, y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.sum() / (m * n))


CASES = [
    # name, (seed, rows, dims, mix, shift) for each set
    ('full_rank', (11, 300, 32, 0.8, 0.0), (21, 400, 32, 0.8, 0.3)),
    ('rank_deficient_both', (31, 20, 64, 0.8, 0.0), (41, 30, 64, 0.5, 0.2)),
    ('rank_deficient_first', (51, 12, 48, 0.8, 0.0), (61, 300, 48, 0.8, 0.1)),
    ('rank_deficient_second', (71, 300, 48, 0.8, 0.0), (81, 9, 48, 0.8, 0.1)),
    ('same_distribution', (91, 1500, 16, 0.8, 0.0), (101, 1500, 16, 0.8, 0.0)),
    ('wide_rank_deficient', (111, 40, 256, 0.8, 0.0), (121, 50, 256, 0.8, 0.05)),
]


def main():
    warnings.simplefilter('ignore')
    rng = np.random.default_rng(2024)
    cases = []
    for name, a, b in CASES:
        x1 = hashed_features(*a).astype(np.float64)
        x2 = hashed_features(*b).astype(np.float64)
        mu1, mu2 = x1.mean(0), x2.mean(0)
        s1, s2 = np.cov(x1, rowvar=False), np.cov(x2, rowvar=False)
        diff = mu1 - mu2
        base = float(diff @ diff + np.trace(s1) + np.trace(s2))
        tr_exact = exact_trace_sqrt(x1, x2)
        tr_eigh, rank1 = eigh_trace_sqrt(s1, s2)
        fd_pf, retried = pytorch_fid_distance(mu1, s1, mu2, s2)
        # KID: full sets, and explicit subsets (indices stored; the TS sampler is its own).
        m = min(len(x1), len(x2), 10)
        subsets = []
        vals = []
        for _ in range(4):
            ix = np.sort(rng.choice(len(x1), m, replace=False))
            iy = np.sort(rng.choice(len(x2), m, replace=False))
            subsets.append({'x': ix.tolist(), 'y': iy.tolist()})
            vals.append(mmd2(x1[ix], x2[iy]))
        cases.append({
            'name': name,
            'first': dict(zip(['seed', 'rows', 'dims', 'mix', 'shift'], a)),
            'second': dict(zip(['seed', 'rows', 'dims', 'mix', 'shift'], b)),
            'mean_term': float(diff @ diff),
            'trace_sigma1': float(np.trace(s1)),
            'trace_sigma2': float(np.trace(s2)),
            'sigma1_probe': [float(s1[0, 0]), float(s1[-1, 0]), float(s1[1 % len(s1), -1]), float(s1.sum())],
            'mu1_sum': float(mu1.sum()),
            'rank_sigma1': int(np.linalg.matrix_rank(s1)),
            'rank_sigma1_eigh_rule': rank1,
            'trace_sqrt_exact': tr_exact,
            'trace_sqrt_eigh': tr_eigh,
            'fd_exact': base - 2 * tr_exact,
            'fd_eigh': base - 2 * tr_eigh,
            'fd_pytorch_fid': fd_pf,
            'pytorch_fid_offset_retry': retried,
            'kid_full': mmd2(x1, x2),
            'kid_subsets': subsets,
            'kid_subset_values': vals,
            'kid_subsets_mean': float(np.mean(vals)),
            'kid_subsets_std': float(np.std(vals)),
        })
        c = cases[-1]
        print(f"{name:24s} fd_exact={c['fd_exact']:.10g} pf_rel={(fd_pf - c['fd_exact']) / c['fd_exact']:.2e} "
              f"eigh_rel={(c['fd_eigh'] - c['fd_exact']) / c['fd_exact']:.2e} retry={retried} rank={c['rank_sigma1']}")
    out = {
        'generatedBy': 'packages/metrics/scripts/goldens/fid_kid.py (features from scripts/goldens/hashed.py)',
        'numpy': np.__version__,
        'scipy': scipy.__version__,
        'note': 'fd_exact is the reference for the 1e-6 check; fd_pytorch_fid is scipy.linalg.sqrtm as pytorch-fid uses it.',
        'cases': cases,
    }
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print('wrote', os.path.relpath(OUT), os.path.getsize(OUT), 'bytes')


if __name__ == '__main__':
    main()
