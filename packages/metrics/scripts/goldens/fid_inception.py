"""Golden features of pytorch-fid's InceptionV3 with hashed (random) weights.

Run from packages/metrics with torch + numpy:  python scripts/goldens/fid_inception.py [PTH_DIR]
Writes src/inception/__tests__/fixtures/fid_inception.json; with PTH_DIR also the same weights as torch files
(hashed_zip.pth, hashed_legacy.pth: Inception3 state dict; hashed_wrapper.pth: pytorch-fid's InceptionV3
wrapper layout `blocks.<b>.<j>.*`) for scripts/check-torch-pth.ts.

Audited against pytorch-fid src/pytorch_fid/inception.py @ b9c18118 (and 1232cd6f), fid_score.py @ af953a98,
torchvision torchvision/models/inception.py @ 02a0a90b / d100828e (packages/metrics/README.md lists what was
checked); no discrepancy in this model. The last regeneration (torch 2.13.0+cpu) reproduced the first two cases
bit for bit and added 1×333×401 (downsampling) and 1×80×96 with resize_input = normalize_input = False.

The network is written here with torch.nn from the architecture of pytorch-fid 0.3.0
(`pytorch_fid/inception.py`: torchvision's Inception3 layout with FIDInceptionA/C/E_1/E_2, BN eps
1e-3, avg-pool count_include_pad=False in the FID blocks, max-pool in E_2's pool branch; input
F.interpolate(bilinear, 299, align_corners=False), then 2x − 1; taps after maxpool1 (64),
maxpool2 (192), Mixed_6e (768), avgpool (2048)); no code is copied from pytorch-fid or torchvision.
Module names equal pytorch-fid's state-dict keys (`Mixed_7c.branch3x3dbl_3a.bn.running_var`, ...).

Weights: every tensor is filled from hashed.py keyed by FNV-1a of its name (scripts/goldens and
src/__tests__/helpers/hashed.ts reproduce them exactly):
  conv weight: (u − 0.5)·sqrt(24/fan_in)        (He-uniform scale)
  bn.weight: 0.8 + 0.4u, bn.bias: 0.2(u − 0.5), bn.running_mean: 0.2(u − 0.5), bn.running_var: 0.8 + 0.4u
  fc.weight: (u − 0.5)·0.01, fc.bias: 0   (present as in the real file, unused by FID)
with u = u(fnv1a(name), i, 0) for the flat element index i, rounded to float32.
Input images (N, 3, H, W): floor(u(seed, ((n·3 + c)·H + y)·W + x, 1)·256)/255 in float32, as
ToTensor() of 8-bit images.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from hashed import hashed_uniform

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'src', 'inception', '__tests__', 'fixtures', 'fid_inception.json')


class BasicConv2d(nn.Module):
    def __init__(self, cin, cout, **kw):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, bias=False, **kw)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class FIDInceptionA(nn.Module):
    def __init__(self, cin, pool_features):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch5x5_1 = BasicConv2d(cin, 48, kernel_size=1)
        self.branch5x5_2 = BasicConv2d(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.branch_pool = BasicConv2d(cin, pool_features, kernel_size=1)

    def forward(self, x):
        b1 = self.branch1x1(x)
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = self.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False))
        return torch.cat([b1, b5, b3, bp], 1)


class InceptionB(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.branch3x3 = BasicConv2d(cin, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, stride=2)

    def forward(self, x):
        b3 = self.branch3x3(x)
        bd = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = F.max_pool2d(x, kernel_size=3, stride=2)
        return torch.cat([b3, bd, bp], 1)


class FIDInceptionC(nn.Module):
    def __init__(self, cin, c7):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch7x7_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7_2 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(cin, 192, kernel_size=1)

    def forward(self, x):
        b1 = self.branch1x1(x)
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        bd = x
        for i in range(1, 6):
            bd = getattr(self, f'branch7x7dbl_{i}')(bd)
        bp = self.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False))
        return torch.cat([b1, b7, bd, bp], 1)


class InceptionD(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch3x3_2 = BasicConv2d(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, kernel_size=3, stride=2)

    def forward(self, x):
        b3 = self.branch3x3_2(self.branch3x3_1(x))
        b7 = x
        for i in range(1, 5):
            b7 = getattr(self, f'branch7x7x3_{i}')(b7)
        bp = F.max_pool2d(x, kernel_size=3, stride=2)
        return torch.cat([b3, b7, bp], 1)


class FIDInceptionE(nn.Module):
    """E_1 (Mixed_7b): avg-pool without padding counted; E_2 (Mixed_7c): max-pool (the TF graph's quirk)."""

    def __init__(self, cin, max_pool):
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = BasicConv2d(cin, 320, kernel_size=1)
        self.branch3x3_1 = BasicConv2d(cin, 384, kernel_size=1)
        self.branch3x3_2a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(cin, 448, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(cin, 192, kernel_size=1)

    def forward(self, x):
        b1 = self.branch1x1(x)
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
        if self.max_pool:
            bp = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        else:
            bp = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([b1, b3, bd, self.branch_pool(bp)], 1)


class FIDInceptionV3(nn.Module):
    def __init__(self):
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.Mixed_5b = FIDInceptionA(192, 32)
        self.Mixed_5c = FIDInceptionA(256, 64)
        self.Mixed_5d = FIDInceptionA(288, 64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = FIDInceptionC(768, 128)
        self.Mixed_6c = FIDInceptionC(768, 160)
        self.Mixed_6d = FIDInceptionC(768, 160)
        self.Mixed_6e = FIDInceptionC(768, 192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = FIDInceptionE(1280, max_pool=False)
        self.Mixed_7c = FIDInceptionE(2048, max_pool=True)
        self.fc = nn.Linear(2048, 1008)

    def forward(self, x, resize_input=True, normalize_input=True):
        # pytorch-fid InceptionV3.forward: both flags default to True (fid_score.py never changes them)
        if resize_input:
            x = F.interpolate(x, size=(299, 299), mode='bilinear', align_corners=False)
        if normalize_input:
            x = 2 * x - 1
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        t64 = x
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        t192 = x
        for name in ['Mixed_5b', 'Mixed_5c', 'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e']:
            x = getattr(self, name)(x)
        t768 = x
        for name in ['Mixed_7a', 'Mixed_7b', 'Mixed_7c']:
            x = getattr(self, name)(x)
        t2048 = F.adaptive_avg_pool2d(x, (1, 1))
        # pytorch-fid's get_activations: non-1×1 taps are adaptive-avg-pooled to 1×1
        return [F.adaptive_avg_pool2d(t, (1, 1)).flatten(1) for t in (t64, t192, t768, t2048)]


# pytorch-fid's InceptionV3 puts the same modules into nn.Sequential blocks: block 0 = Conv2d_1a/2a/2b
# (+ MaxPool), 1 = Conv2d_3b/4a (+ MaxPool), 2 = Mixed_5b..Mixed_6e, 3 = Mixed_7a..7c (+ avg pool).
WRAPPER_INDEX = {name: f'blocks.{b}.{j}' for b, names in enumerate([
    ['Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3'], ['Conv2d_3b_1x1', 'Conv2d_4a_3x3'],
    ['Mixed_5b', 'Mixed_5c', 'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e'],
    ['Mixed_7a', 'Mixed_7b', 'Mixed_7c']]) for j, name in enumerate(names)}


def fnv1a(s):
    h = 2166136261
    for b in s.encode('utf-8'):
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def hashed_tensor(name, shape):
    n = int(np.prod(shape))
    u = hashed_uniform(fnv1a(name), np.arange(n, dtype=np.uint64), 0)
    if name.endswith('conv.weight'):
        fan_in = int(np.prod(shape[1:]))
        v = (u - 0.5) * np.sqrt(24.0 / fan_in)
    elif name.endswith('bn.weight') or name.endswith('bn.running_var'):
        v = 0.8 + 0.4 * u
    elif name.endswith('bn.bias') or name.endswith('bn.running_mean'):
        v = 0.2 * (u - 0.5)
    elif name == 'fc.weight':
        v = (u - 0.5) * 0.01
    elif name == 'fc.bias':
        v = np.zeros(n)
    else:
        raise KeyError(name)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def hashed_images(seed, n, h, w):
    idx = np.arange(n * 3 * h * w, dtype=np.uint64)
    px = np.floor(hashed_uniform(seed, idx, 1) * 256)
    return torch.from_numpy((px / 255.0).astype(np.float32).reshape(n, 3, h, w))


def main():
    torch.set_grad_enabled(False)
    torch.set_num_threads(2)
    model = FIDInceptionV3().eval()
    sd = model.state_dict()
    new = {k: hashed_tensor(k, tuple(v.shape)) for k, v in sd.items() if not k.endswith('num_batches_tracked')}
    missing = model.load_state_dict(new, strict=False)
    assert all(k.endswith('num_batches_tracked') for k in missing.missing_keys), missing
    keys = [k for k in sd.keys() if not k.endswith('num_batches_tracked')]
    cases = []
    # upsampling (37×45), identity (299²), downsampling non-square (333×401), and both input flags
    # off (80×96 fed as is, in [0, 1]).
    for seed, (n, h, w), flags in [(5, (2, 37, 45), True), (6, (1, 299, 299), True), (7, (1, 333, 401), True),
                                   (8, (1, 80, 96), False)]:
        x = hashed_images(seed, n, h, w)
        taps = model(x, resize_input=flags, normalize_input=flags)
        cases.append({'seed': seed, 'n': n, 'height': h, 'width': w, 'resizeInput': flags, 'normalizeInput': flags,
                      'features': {str(t.shape[1]): [[float('%.8g' % v) for v in row] for row in t.double().tolist()] for t in taps}})
        print('case', seed, [(t.shape[1], float(t.abs().mean()), float(t.std())) for t in taps])
    out = {
        'generatedBy': 'packages/metrics/scripts/goldens/fid_inception.py (weights and inputs from scripts/goldens/hashed.py)',
        'torch': torch.__version__, 'numpy': np.__version__,
        'architecture': 'pytorch-fid 0.3.0 FIDInceptionV3, written with torch.nn in the script',
        'keys': len(keys), 'params': int(sum(new[k].numel() for k in keys)),
        'firstKeys': keys[:6], 'lastKeys': keys[-4:],
        'cases': cases,
    }
    if len(sys.argv) > 1:
        # End-to-end check of the file path (not committed: ~95 MB each): the same weights saved by
        # torch itself, as Inception3's state dict (zip and legacy format, num_batches_tracked
        # included) and as pytorch-fid's InceptionV3 wrapper state dict (`blocks.<i>.<j>.*`).
        d = sys.argv[1]
        os.makedirs(d, exist_ok=True)
        full = {k: v for k, v in model.state_dict().items()}
        torch.save(full, os.path.join(d, 'hashed_zip.pth'))
        torch.save(full, os.path.join(d, 'hashed_legacy.pth'), _use_new_zipfile_serialization=False)
        wrapper = {}
        for k, v in full.items():
            head, rest = k.split('.', 1)
            if head in WRAPPER_INDEX:
                wrapper[WRAPPER_INDEX[head] + '.' + rest] = v
        torch.save(wrapper, os.path.join(d, 'hashed_wrapper.pth'))
        print('wrote', sorted(os.listdir(d)), 'to', d)
    with open(OUT, 'w') as f:
        json.dump(out, f)
        f.write('\n')
    print('wrote', OUT, os.path.getsize(OUT), 'bytes', len(keys), 'keys')


if __name__ == '__main__':
    main()
