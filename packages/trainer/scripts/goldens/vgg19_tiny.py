"""Golden for @clade/trainer's VGG19 perceptual loss (REFERENCE §10), with tiny widths.

Builds torchvision's vgg19 `features` stack (config 'E': 16 conv 3x3 pad 1 + ReLU, max-pool 2x2
after each block) with plain torch.nn and widths (4, 8, 8, 8, 8) instead of (64, 128, 256, 512,
512), so the state-dict keys are exactly torchvision's (`features.{0,2,5,...,34}.weight/bias`)
and only the shapes shrink. The loss is SPADE's VGGLoss: slices [0:2], [2:7], [7:12], [12:21],
[21:30] (relu1_1 .. relu5_1), weights [1/32, 1/16, 1/8, 1/4, 1], L1 (mean) against the detached
real features, the [-1, 1] images fed in WITHOUT ImageNet normalisation (faithful quirk).
Depends only on torch and numpy; no code copied from the official repositories.

Writes, next to the tests:
  fixtures/vgg19_tiny.pth   state dict (float32) + two small classifier.* keys the loader must ignore
  fixtures/vgg19_tiny.npz   fake, real (NHWC float32, [-1, 1]); feat_0..feat_4 = features of fake
                            (NHWC); loss (float64 scalar); grad_fake = d loss / d fake (NHWC);
                            all computed in float64 from the float32 weights and inputs
  fixtures/vgg19_tiny.json  provenance
Run: python packages/trainer/scripts/goldens/vgg19_tiny.py
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

WIDTHS = (4, 8, 8, 8, 8)
SIZE = 32
BATCH = 2
SEED = 1234
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', '__tests__', 'fixtures')

# torchvision's cfg 'E' with each block's width taken from WIDTHS.
BLOCK_CONVS = (2, 2, 4, 4, 4)


def make_features(widths):
    layers, c_in = [], 3
    for width, convs in zip(widths, BLOCK_CONVS):
        for _ in range(convs):
            layers += [nn.Conv2d(c_in, width, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            c_in = width
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


class Vgg19Slices(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.slices = nn.ModuleList([features[a:b] for a, b in ((0, 2), (2, 7), (7, 12), (12, 21), (21, 30))])

    def forward(self, x):
        out = []
        for s in self.slices:
            x = s(x)
            out.append(x)
        return out


WEIGHTS = [1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0]


def vgg_loss(vgg, x, y):
    fx, fy = vgg(x), vgg(y)
    l1 = nn.L1Loss()
    return sum(w * l1(a, b.detach()) for w, a, b in zip(WEIGHTS, fx, fy))


def nhwc(t):
    return np.ascontiguousarray(t.detach().permute(0, 2, 3, 1).numpy())


def main():
    torch.manual_seed(SEED)
    features = make_features(WIDTHS)
    assert len(features) == 37  # torchvision vgg19.features has 37 modules
    with torch.no_grad():
        for m in features:
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * 9
                m.weight.normal_(0, (2.0 / fan_in) ** 0.5)
                m.bias.normal_(0, 0.1)
    state = {f'features.{k}': v.clone() for k, v in features.state_dict().items()}
    # A torchvision file also holds the classifier; the loader must ignore it.
    state['classifier.0.weight'] = torch.randn(4, WIDTHS[-1])
    state['classifier.0.bias'] = torch.randn(4)
    os.makedirs(OUT, exist_ok=True)
    torch.save(state, os.path.join(OUT, 'vgg19_tiny.pth'))

    fake32 = torch.rand(BATCH, 3, SIZE, SIZE) * 2 - 1
    real32 = torch.rand(BATCH, 3, SIZE, SIZE) * 2 - 1

    feats64 = make_features(WIDTHS).double()
    feats64.load_state_dict({k[len('features.'):]: v.double() for k, v in state.items() if k.startswith('features.')})
    vgg64 = Vgg19Slices(feats64).eval()
    fake = fake32.double().requires_grad_(True)
    real = real32.double()
    loss = vgg_loss(vgg64, fake, real)
    loss.backward()
    feats = vgg64(fake32.double())

    # float32 run of the same model: how far float32 arithmetic alone lands from the float64 values.
    vgg32 = Vgg19Slices(feats64.float()).eval()
    loss32 = vgg_loss(vgg32, fake32, real32).item()

    arrays = {'fake': nhwc(fake32), 'real': nhwc(real32), 'loss': np.float64(loss.item()), 'grad_fake': nhwc(fake.grad).astype(np.float32)}
    for i, f in enumerate(feats):
        arrays[f'feat_{i}'] = nhwc(f).astype(np.float32)
    np.savez_compressed(os.path.join(OUT, 'vgg19_tiny.npz'), **arrays)
    meta = {
        'generatedBy': 'packages/trainer/scripts/goldens/vgg19_tiny.py',
        'torch': torch.__version__,
        'numpy': np.__version__,
        'seed': SEED,
        'widths': list(WIDTHS),
        'input': [BATCH, SIZE, SIZE, 3],
        'layout': 'npz arrays are NHWC; .pth is torchvision layout [O,I,3,3]',
        'loss': loss.item(),
        'lossFloat32MinusFloat64': loss32 - loss.item(),
        'featureShapes': [list(arrays[f'feat_{i}'].shape) for i in range(5)],
    }
    with open(os.path.join(OUT, 'vgg19_tiny.json'), 'w') as fh:
        json.dump(meta, fh, indent=2)
        fh.write('\n')
    print(json.dumps(meta, indent=2))


if __name__ == '__main__':
    main()
