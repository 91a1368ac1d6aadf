"""Bench-only PyTorch generator (SPADE / CLADE / CLADE-ICPE, eval mode), written from
/work/shared/spec/REFERENCE.md §2-7 for timing comparisons with our ONNX path. It is not the
official code and not a dependency of any package: `pnpm bench onnx` runs it when
CLADE_BENCH_PYTHON names a python with torch.

Eval-time form, as the official test runs: spectral norm is a plain conv with the folded weight,
the param-free norm is BatchNorm2d(affine=False) with running statistics, CLADE's guided
sampling is an embedding lookup of the argmax class (the official active implementation).

Usage: generator.py --norm clade --ngf 64 --size 256 --threads 1 --reps 5 → one JSON line;
--hidden 16 for SPADE-light, --per-block spade,…,clade for a mixed generator.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SpadeNorm(nn.Module):
    def __init__(self, c, semantic_nc, hidden=128):
        super().__init__()
        self.bn = nn.BatchNorm2d(c, affine=False)
        self.shared = nn.Sequential(nn.Conv2d(semantic_nc, hidden, 3, padding=1), nn.ReLU())
        self.gamma = nn.Conv2d(hidden, c, 3, padding=1)
        self.beta = nn.Conv2d(hidden, c, 3, padding=1)

    def forward(self, x, seg, dist):
        m = F.interpolate(seg, size=x.shape[2:], mode='nearest')
        a = self.shared(m)
        return self.bn(x) * (1 + self.gamma(a)) + self.beta(a)


class CladeNorm(nn.Module):
    def __init__(self, c, num_classes, icpe=False):
        super().__init__()
        self.bn = nn.BatchNorm2d(c, affine=False)
        self.gamma = nn.Parameter(torch.rand(num_classes, c))
        self.beta = nn.Parameter(torch.zeros(num_classes, c))
        self.icpe = icpe
        if icpe:
            self.dist_w = nn.Conv2d(2, 1, 1)
            self.dist_b = nn.Conv2d(2, 1, 1)

    def forward(self, x, seg, dist):
        m = F.interpolate(seg, size=x.shape[2:], mode='nearest')
        cls = m.argmax(1)  # [N,h,w]
        g = F.embedding(cls, self.gamma).permute(0, 3, 1, 2)
        b = F.embedding(cls, self.beta).permute(0, 3, 1, 2)
        if self.icpe:
            d = F.interpolate(dist, size=x.shape[2:], mode='nearest')
            g = g * (1 + self.dist_w(d))
            b = b * (1 + self.dist_b(d))
        return self.bn(x) * g + b


class Block(nn.Module):
    """spectral: spectral norm (one power iteration per train-mode forward) on conv_0, conv_1 and
    conv_s, as in training (REFERENCE §6, §15.3); eval folds it into a plain conv."""

    def __init__(self, fin, fout, norm, spectral=False):
        super().__init__()
        fmid = min(fin, fout)
        sn = nn.utils.spectral_norm if spectral else (lambda m: m)
        self.learned = fin != fout
        self.conv_0 = sn(nn.Conv2d(fin, fmid, 3, padding=1))
        self.conv_1 = sn(nn.Conv2d(fmid, fout, 3, padding=1))
        self.norm_0, self.norm_1 = norm(fin), norm(fmid)
        if self.learned:
            self.conv_s = sn(nn.Conv2d(fin, fout, 1, bias=False))
            self.norm_s = norm(fin)

    def forward(self, x, seg, dist):
        xs = self.conv_s(self.norm_s(x, seg, dist)) if self.learned else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg, dist), 0.2))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg, dist), 0.2))
        return xs + dx


class Generator(nn.Module):
    """'normal' upsampling, square output, no instances, no VAE (the benchmark's configuration).
    spectral=True for training (bench/torch/train_step.py)."""

    def __init__(self, norm_mode, num_classes, ngf, size, hidden=128, per_block=None, spectral=False):
        super().__init__()
        nf = ngf
        self.sw = size // 32

        def norm_of(mode):
            if mode == 'spade':
                return lambda c: SpadeNorm(c, num_classes, hidden)
            return lambda c: CladeNorm(c, num_classes, icpe=mode == 'cladeIcpe')

        self.fc = nn.Conv2d(num_classes, 16 * nf, 3, padding=1)
        widths = [(16, 16), (16, 16), (16, 16), (16, 8), (8, 4), (4, 2), (2, 1)]
        modes = per_block or [norm_mode] * len(widths)
        self.blocks = nn.ModuleList(Block(a * nf, b * nf, norm_of(m), spectral) for (a, b), m in zip(widths, modes))
        self.conv_img = nn.Conv2d(nf, 3, 3, padding=1)

    def forward(self, seg, dist):
        x = self.fc(F.interpolate(seg, size=(self.sw, self.sw), mode='nearest'))
        for i, blk in enumerate(self.blocks):
            if i in (1, 3, 4, 5, 6):  # before G_middle_0 and every up_k ('normal')
                x = F.interpolate(x, scale_factor=2, mode='nearest')
            x = blk(x, seg, dist)
        return torch.tanh(self.conv_img(F.leaky_relu(x, 2e-1)))


def add_generator_args(p):
    """The generator flags both bench scripts take: SPADE's hidden width and a per-block norm list."""
    p.add_argument('--hidden', type=int, default=128, help="SPADE's shared MLP width (16: SPADE-light)")
    p.add_argument('--per-block', default=None, help='norm of each of the 7 ResBlks, e.g. spade,spade,spade,spade,clade,clade,clade')


def per_block_of(p, a):
    """The parsed --per-block list (None when not given); a bad list is the parser's error."""
    per_block = a.per_block.split(',') if a.per_block else None
    if per_block and (len(per_block) != 7 or any(m not in ('spade', 'clade', 'cladeIcpe') for m in per_block)):
        p.error(f'--per-block needs 7 of spade, clade, cladeIcpe, got {a.per_block}')
    return per_block


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--norm', choices=['spade', 'clade', 'cladeIcpe'], required=True)
    p.add_argument('--ngf', type=int, default=64)
    p.add_argument('--size', type=int, default=256)
    p.add_argument('--classes', type=int, default=151)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--reps', type=int, default=5)
    add_generator_args(p)
    a = p.parse_args()
    per_block = per_block_of(p, a)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    g = Generator(a.norm, a.classes, a.ngf, a.size, a.hidden, per_block).eval()
    labels = torch.randint(0, a.classes, (1, a.size, a.size))
    seg = F.one_hot(labels, a.classes).permute(0, 3, 1, 2).float()
    dist = torch.rand(1, 2, a.size, a.size) * 2 - 1
    times = []
    with torch.inference_mode():
        g(seg, dist)  # warm-up
        for _ in range(a.reps):
            t0 = time.perf_counter()
            g(seg, dist)
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({'norm': a.norm, 'threads': a.threads, 'ms': statistics.median(times), 'times': times,
                      'torch': torch.__version__}))


if __name__ == '__main__':
    main()
