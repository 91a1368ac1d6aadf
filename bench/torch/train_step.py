"""Bench-only PyTorch training iteration (SPADE / CLADE / CLADE-ICPE), written from
/work/shared/spec/REFERENCE.md §2-8, §10, §11, §15.3 to time against our tfjs trainer. It is not the
official code and not a dependency of any package: `pnpm bench train` runs it when
CLADE_BENCH_PYTHON names a python with torch.

One iteration, as the official trainer runs it: a G step (G forward in train mode, D on fake‖real,
hinge G loss + feature matching ×10, backward, Adam on G), then a D step on the same batch (the fake
regenerated under no_grad, G still in train mode; hinge D loss on fake and real, backward, Adam on D).
TTUR Adam: lr_G = lr/2, lr_D = 2·lr, lr 2e-4, betas (0, 0.9). No VGG, no VAE.

- G: bench/torch/generator.py with spectral norm on the block convs (one power iteration per
  train-mode forward) and BatchNorm(affine=False) as the param-free norm (norm_G
  'spectralspadesyncbatch3x3': on one device sync-BN is BN), batch statistics in training.
- D: multiscale (num_D 2), n_layer sub-discriminators (n_layers_D 4, as our MultiscaleDiscriminator
  and the official default): conv 4×4 pad 2, spectral norm + InstanceNorm on model1..n−1, LeakyReLU
  0.2, every layer's output returned for feature matching; avg-pool 3 s2 p1 excluding padding between
  scales (not after the last scale: its result is unused).
- Init: xavier-normal gain 0.02, bias 0 on every conv (CLADE's tables keep U[0,1) and 0).

--grads official (default) computes what the official trainer computes: D's weight gradients in the
G step too (discarded: D is zeroed before its own step) and the gradient w.r.t. the detached fake in
the D step (`requires_grad_()`). --grads minimal skips both (D frozen in the G step, no input
gradient), which is the work our tfjs trainStep does (tfjs prunes gradients nobody asked for).

Usage: train_step.py --norm clade --ngf 16 --ndf 16 --size 128 --batch 1 --threads 1 --reps 3
→ one JSON line {"ms": median ms per iteration (the upper middle of an even count, as bench/lib.ts),
"times": [...], ...}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from generator import Generator, add_generator_args, per_block_of


class NLayerD(nn.Module):
    def __init__(self, in_nc, ndf, n_layers):
        super().__init__()
        sn = nn.utils.spectral_norm
        seqs = [nn.Sequential(nn.Conv2d(in_nc, ndf, 4, stride=2, padding=2), nn.LeakyReLU(0.2))]
        nf = ndf
        for n in range(1, n_layers):
            prev, nf = nf, min(2 * nf, 512)
            stride = 1 if n == n_layers - 1 else 2
            # A bias before InstanceNorm has no effect: the normed convs have none.
            seqs.append(nn.Sequential(sn(nn.Conv2d(prev, nf, 4, stride=stride, padding=2, bias=False)),
                                      nn.InstanceNorm2d(nf, affine=False), nn.LeakyReLU(0.2)))
        seqs.append(nn.Sequential(nn.Conv2d(nf, 1, 4, stride=1, padding=2)))
        self.layers = nn.ModuleList(seqs)

    def forward(self, x):
        feats = []
        for layer in self.layers:
            x = layer(x)
            feats.append(x)
        return feats


class MultiscaleD(nn.Module):
    def __init__(self, in_nc, ndf, n_layers, num_d):
        super().__init__()
        self.scales = nn.ModuleList(NLayerD(in_nc, ndf, n_layers) for _ in range(num_d))

    def forward(self, x):
        out = []
        for i, d in enumerate(self.scales):
            out.append(d(x))
            if i < len(self.scales) - 1:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
        return out


def init_convs(net, gain=0.02):
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                w = m.weight_orig if hasattr(m, 'weight_orig') else m.weight
                nn.init.xavier_normal_(w, gain)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)


def discriminate(D, seg, fake, real):
    """Fake and real through D together (fake first, semantics before RGB), split in half."""
    feats = D(torch.cat([torch.cat([seg, fake], 1), torch.cat([seg, real], 1)], 0))
    n = fake.shape[0]
    return [[f[:n] for f in s] for s in feats], [[f[n:] for f in s] for s in feats]


def g_losses(pred_fake, pred_real, lambda_feat):
    num_d = len(pred_fake)
    gan = sum(-s[-1].mean() for s in pred_fake) / num_d
    feat = sum(F.l1_loss(f, r.detach()) for sf, sr in zip(pred_fake, pred_real) for f, r in zip(sf[:-1], sr[:-1]))
    return gan, feat * lambda_feat / num_d


def d_losses(pred_fake, pred_real):
    num_d = len(pred_fake)
    fake = sum(-torch.clamp(-s[-1] - 1, max=0).mean() for s in pred_fake) / num_d
    real = sum(-torch.clamp(s[-1] - 1, max=0).mean() for s in pred_real) / num_d
    return fake, real


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--norm', choices=['spade', 'clade', 'cladeIcpe'], required=True)
    p.add_argument('--ngf', type=int, default=16)
    p.add_argument('--ndf', type=int, default=16)
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--classes', type=int, default=151, help='label_nc + dontcare (ADE20K: 151)')
    p.add_argument('--num-d', type=int, default=2)
    p.add_argument('--n-layers-d', type=int, default=4)
    p.add_argument('--lr', type=float, default=2e-4)
    p.add_argument('--lambda-feat', type=float, default=10.0)
    p.add_argument('--grads', choices=['official', 'minimal'], default='official')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--warmup', type=int, default=2, help='untimed iterations first (ours: a warm-up and a memory step)')
    add_generator_args(p)
    a = p.parse_args()
    per_block = per_block_of(p, a)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    G = Generator(a.norm, a.classes, a.ngf, a.size, a.hidden, per_block, spectral=True).train()
    D = MultiscaleD(a.classes + 3, a.ndf, a.n_layers_d, a.num_d).train()
    init_convs(G)
    init_convs(D)
    opt_g = torch.optim.Adam(G.parameters(), lr=a.lr / 2, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(D.parameters(), lr=a.lr * 2, betas=(0.0, 0.9))

    labels = torch.randint(0, a.classes, (a.batch, a.size, a.size))
    seg = F.one_hot(labels, a.classes).permute(0, 3, 1, 2).float().contiguous()
    real = torch.rand(a.batch, 3, a.size, a.size) * 2 - 1
    dist = torch.rand(a.batch, 2, a.size, a.size) * 2 - 1
    official = a.grads == 'official'

    def iteration():
        # G step.
        if not official:
            D.requires_grad_(False)
        opt_g.zero_grad()
        fake = G(seg, dist)
        pred_fake, pred_real = discriminate(D, seg, fake, real)
        gan, feat = g_losses(pred_fake, pred_real, a.lambda_feat)
        (gan + feat).backward()
        opt_g.step()
        if not official:
            D.requires_grad_(True)
        # D step: a fresh fake without gradients (G in train mode: BN batch stats, SN iteration).
        opt_d.zero_grad()
        with torch.no_grad():
            fake = G(seg, dist).detach()
        if official:
            fake.requires_grad_()
        pred_fake, pred_real = discriminate(D, seg, fake, real)
        d_fake, d_real = d_losses(pred_fake, pred_real)
        (d_fake + d_real).backward()
        opt_d.step()
        # Read the losses back, as our trainStep does.
        return [t.item() for t in (gan, feat, d_fake, d_real)]

    for _ in range(a.warmup):
        iteration()
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        losses = iteration()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({'norm': a.norm, 'threads': a.threads, 'batch': a.batch, 'size': a.size, 'ngf': a.ngf, 'ndf': a.ndf,
                      'grads': a.grads, 'ms': sorted(times)[len(times) // 2], 'times': times, 'losses': losses,
                      'gParams': sum(p.numel() for p in G.parameters()), 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
