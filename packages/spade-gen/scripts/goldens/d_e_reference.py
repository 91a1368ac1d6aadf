#!/usr/bin/env python3
"""Goldens for MultiscaleDiscriminator and ConvEncoder (packages/spade-gen/src/{discriminator,encoder}.ts).

OUR reference, not the official code: a reimplementation, with stock torch.nn modules, of what
../shared/spec/REFERENCE.md §8 (multiscale n-layer PatchGAN) and §9 (VAE ConvEncoder) describe,
with the state-dict key layout of §15.2. Nothing here is copied from NVlabs/SPADE or tzt101/CLADE.

Writes (into packages/spade-gen/src/__tests__/fixtures/ unless --out is given):
  d_state.pth        D state dict after one warm-up train-mode forward (torch.save, zip format)
  d_state_train.pth  D's weight_u / weight_v after one more train-mode forward on the golden input
  d_io.npz           labels [N,H,W] int32 (seg = their one-hot, S channels), image, and every
                     feature map in eval mode ('eval_<scale>_<j>') and of the train-mode forward
                     ('train_<scale>_<j>'), NCHW
                     plus sigma_eval / sigma_train: σ of each spectral-norm conv (state-dict order)
                     as torch's hook applied it in that forward
  e_state.pth / e_state_train.pth / e_io.npz   the same for the encoder (image, mu/logvar eval + train)
  d_e_reference.json notes (script, torch version, configs)

Usage: python3 d_e_reference.py [--out DIR]
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm

# ---- tiny configurations (the TS tests build the same) ----
D_CFG = dict(semantic_nc=6, image_nc=3, ndf=4, n_layers=4, num_d=2, batch=2, height=24, width=24)
E_CFG = dict(ngf=2, crop_size=256, z_dim=8, batch=2, height=32, width=48)


def sn_conv_in(cin, cout, k, stride, pad):
    """spectral-norm conv (bias removed) followed by InstanceNorm without affine: the
    'spectralinstance' norm of REFERENCE §8.2/§9, as Sequential(conv, norm)."""
    conv = spectral_norm(nn.Conv2d(cin, cout, k, stride, pad, bias=False))
    return nn.Sequential(conv, nn.InstanceNorm2d(cout, affine=False))


class NLayerD(nn.Module):
    """REFERENCE §8.2: model0 conv s2 + LReLU; model1..n-1 SN conv + IN + LReLU (last of them s1);
    model_n conv s1 with bias. k4, pad ceil(3/2) = 2. Returns every model_j output."""

    def __init__(self, input_nc, ndf, n_layers):
        super().__init__()
        kw, pw = 4, int(math.ceil((4 - 1.0) / 2))
        self.n_layers = n_layers
        self.model0 = nn.Sequential(nn.Conv2d(input_nc, ndf, kw, 2, pw), nn.LeakyReLU(0.2))
        nf = ndf
        for n in range(1, n_layers):
            nf_prev, nf = nf, min(nf * 2, 512)
            stride = 1 if n == n_layers - 1 else 2
            setattr(self, f'model{n}', nn.Sequential(sn_conv_in(nf_prev, nf, kw, stride, pw), nn.LeakyReLU(0.2)))
        setattr(self, f'model{n_layers}', nn.Sequential(nn.Conv2d(nf, 1, kw, 1, pw)))

    def forward(self, x):
        feats = []
        for n in range(self.n_layers + 1):
            x = getattr(self, f'model{n}')(x)
            feats.append(x)
        return feats


class MultiscaleD(nn.Module):
    """REFERENCE §8.1: D_i on the current input, then avg-pool 3 s2 p1 (padding not counted)."""

    def __init__(self, input_nc, ndf, n_layers, num_d):
        super().__init__()
        for i in range(num_d):
            self.add_module(f'discriminator_{i}', NLayerD(input_nc, ndf, n_layers))
        self.num_d = num_d
        self.pool = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)

    def forward(self, seg, image):
        x = torch.cat([seg, image], 1)  # semantics first, RGB last
        out = []
        for i in range(self.num_d):
            out.append(getattr(self, f'discriminator_{i}')(x))
            x = self.pool(x)
        return out


class Encoder(nn.Module):
    """REFERENCE §9: bilinear resize to 256 (align_corners False), layer1..5 (+6 when crop ≥ 256),
    each SN conv 3×3 s2 p1 + IN; LReLU before every layer after the first and once at the end;
    NCHW flatten; fc_mu, fc_var."""

    def __init__(self, ngf, crop_size, z_dim):
        super().__init__()
        nf = ngf
        widths = [3, nf, nf * 2, nf * 4, nf * 8, nf * 8] + ([nf * 8] if crop_size >= 256 else [])
        self.n = len(widths) - 1
        for k in range(1, self.n + 1):
            setattr(self, f'layer{k}', sn_conv_in(widths[k - 1], widths[k], 3, 2, 1))
        s0 = 256 // 2 ** self.n
        self.fc_mu = nn.Linear(nf * 8 * s0 * s0, z_dim)
        self.fc_var = nn.Linear(nf * 8 * s0 * s0, z_dim)
        self.actvn = nn.LeakyReLU(0.2)

    def forward(self, x):
        if x.size(2) != 256 or x.size(3) != 256:
            x = F.interpolate(x, size=(256, 256), mode='bilinear', align_corners=False)
        x = self.layer1(x)
        for k in range(2, self.n + 1):
            x = getattr(self, f'layer{k}')(self.actvn(x))
        x = self.actvn(x)
        x = x.reshape(x.size(0), -1)  # NCHW order
        return self.fc_mu(x), self.fc_var(x)


def randomise(module, gen):
    """Deterministic weights of unit-ish gain (not the 0.02 init: tiny activations would make a
    1e-4 tolerance meaningless)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() > 1:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) * (1.5 / math.sqrt(fan_in)))
            else:
                p.copy_(torch.rand(p.shape, generator=gen) * 0.2 - 0.1)
        for name, b in module.named_buffers():
            if name.endswith('weight_u') or name.endswith('weight_v'):
                r = torch.randn(b.shape, generator=gen)
                b.copy_(r / r.norm())


def uv_only(state):
    return {k: v.clone() for k, v in state.items() if k.endswith('weight_u') or k.endswith('weight_v')}


def sigmas(module):
    """σ of every spectral-norm conv as torch's hook applied it in the last forward
    (|weight_orig| / |weight|), in state-dict order."""
    return torch.tensor([m.weight_orig.norm() / m.weight.norm() for m in module.modules() if hasattr(m, 'weight_orig')])


def npz(path, arrays):
    def conv(v):
        a = v.detach().numpy()
        return np.ascontiguousarray(a if a.dtype == np.int32 else a.astype(np.float32))
    np.savez(path, **{k: conv(v) for k, v in arrays.items()})


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument('--out', default=os.path.join(here, '..', '..', 'src', '__tests__', 'fixtures'))
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)

    # ---- discriminator ----
    c = D_CFG
    d = MultiscaleD(c['semantic_nc'] + c['image_nc'], c['ndf'], c['n_layers'], c['num_d'])
    randomise(d, gen)
    n, h, w = c['batch'], c['height'], c['width']
    labels = torch.randint(0, c['semantic_nc'], (n, h, w), generator=gen)
    seg = F.one_hot(labels, c['semantic_nc']).permute(0, 3, 1, 2).float()
    image = torch.rand((n, 3, h, w), generator=gen) * 2 - 1
    with torch.no_grad():
        d.train()
        # One warm-up power iteration (REFERENCE §15.3: fresh u, v can give σ ≤ 0). Only one, so
        # that the train-mode forward below still moves σ visibly.
        d(torch.rand_like(seg), torch.rand_like(image))
        torch.save(d.state_dict(), os.path.join(out, 'd_state.pth'))
        d.eval()
        ev = d(seg, image)
        d_sigma_eval = sigmas(d)
        d.train()
        tr = d(seg, image)
        d_sigma_train = sigmas(d)
        torch.save(uv_only(d.state_dict()), os.path.join(out, 'd_state_train.pth'))
    arrays = {'labels': labels.int(), 'image': image, 'sigma_eval': d_sigma_eval, 'sigma_train': d_sigma_train}
    for i in range(c['num_d']):
        for j in range(c['n_layers'] + 1):
            arrays[f'eval_{i}_{j}'] = ev[i][j]
            arrays[f'train_{i}_{j}'] = tr[i][j]
    npz(os.path.join(out, 'd_io.npz'), arrays)
    d_shapes = {k: list(v.shape) for k, v in arrays.items()}

    # ---- encoder ----
    c = E_CFG
    e = Encoder(c['ngf'], c['crop_size'], c['z_dim'])
    randomise(e, gen)
    image = torch.rand((c['batch'], 3, c['height'], c['width']), generator=gen) * 2 - 1
    with torch.no_grad():
        e.train()
        e(torch.rand_like(image))  # a warm-up power iteration
        torch.save(e.state_dict(), os.path.join(out, 'e_state.pth'))
        e.eval()
        mu, logvar = e(image)
        e_sigma_eval = sigmas(e)
        e.train()
        mu_t, logvar_t = e(image)
        e_sigma_train = sigmas(e)
        torch.save(uv_only(e.state_dict()), os.path.join(out, 'e_state_train.pth'))
    npz(os.path.join(out, 'e_io.npz'), {
        'image': image, 'mu': mu, 'logvar': logvar, 'train_mu': mu_t, 'train_logvar': logvar_t,
        'sigma_eval': e_sigma_eval, 'sigma_train': e_sigma_train})

    note = {
        'generatedBy': 'packages/spade-gen/scripts/goldens/d_e_reference.py',
        'torch': torch.__version__,
        'numpy': np.__version__,
        'reference': 'our reimplementation of REFERENCE.md §8 (MultiscaleDiscriminator) and §9 (ConvEncoder) with '
        'torch.nn (Conv2d, spectral_norm, InstanceNorm2d, AvgPool2d(count_include_pad=False), F.interpolate); '
        'NOT the official code',
        'layout': 'npz arrays are NCHW; .pth are bare state dicts with the official key names (REFERENCE §15.2)',
        'procedure': 'randomise weights (seeded), 1 warm-up train-mode forward on random inputs, save state; '
        'eval forward (eval_*), then one train-mode forward (train_*) whose updated weight_u/weight_v are in *_state_train.pth',
        'discriminator': D_CFG,
        'encoder': E_CFG,
        'dShapes': d_shapes,
        'dParams': sum(p.numel() for p in d.parameters()),
        'eParams': sum(p.numel() for p in e.parameters()),
    }
    with open(os.path.join(out, 'd_e_reference.json'), 'w') as f:
        json.dump(note, f, indent=2)
        f.write('\n')


if __name__ == '__main__':
    main()
