"""Goldens for @clade/data's PIL resampling and image decoding.

Writes src/resize/__tests__/fixtures/pil-bicubic.json and src/decode/__tests__/fixtures/pil-decode.json.
Depends only on numpy and Pillow (no code from the official repositories). Real-image entries read the
shared samples (path relative to the shared folder) and store only hashes and a few values, never pixels.

    python scripts/goldens/pil_resample.py /path/to/shared
"""
import hashlib, json, sys
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, features

shared = Path(sys.argv[1] if len(sys.argv) > 1 else '../../../shared')
here = Path(__file__).resolve().parents[2]
meta = {
    'generatedBy': 'packages/data/scripts/goldens/pil_resample.py',
    'pillow': PIL.__version__,
    'numpy': np.__version__,
    'libjpeg_turbo': features.version('jpg'),
}

def sha(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).hexdigest()

# Synthetic inputs: small enough to store. Values cover 0 and 255 so clipping is exercised.
rng = np.random.RandomState(20240521)
rgb = rng.randint(0, 256, size=(9, 13, 3)).astype(np.uint8)
rgb[0, :4] = 0
rgb[1, :4] = 255
gray = rng.randint(0, 256, size=(11, 6)).astype(np.uint8)
synthetic = []
for name, arr, mode in (('rgb13x9', rgb, 'RGB'), ('gray6x11', gray, 'L')):
    im = Image.fromarray(arr, mode)
    for w, h in ((5, 4), (32, 24), (13, 20), (26, 3), (1, 1), (7, 9), (6, 11), (3, 17)):
        out = np.asarray(im.resize((w, h), Image.BICUBIC))
        synthetic.append({'input': name, 'width': w, 'height': h, 'output': out.reshape(-1).tolist()})

real = []
for rel, sizes in (
    ('data/coco_stuff/val_img/000000000139.jpg', ((64, 64), (100, 75), (286, 286), (256, 256))),
    ('data/ade20k_sceneparsing/images/ADE_val_00000001.jpg', ((256, 256), (286, 286), (700, 530))),
    ('data/celebamask_hq/0.jpg', ((256, 256), (512, 512))),
):
    im = Image.open(shared / rel).convert('RGB')
    for w, h in sizes:
        out = np.asarray(im.resize((w, h), Image.BICUBIC))
        real.append({'file': rel, 'width': w, 'height': h, 'sha256': sha(out),
                     'first': out.reshape(-1)[:12].tolist(), 'sum': int(out.astype(np.int64).sum())})

Path(here / 'src/resize/__tests__/fixtures/pil-bicubic.json').write_text(json.dumps({
    **meta,
    'note': 'Image.resize((w, h), Image.BICUBIC) of 8-bit images; synthetic inputs stored in full, real ones as hashes.',
    'inputs': {'rgb13x9': {'width': 13, 'height': 9, 'channels': 3, 'data': rgb.reshape(-1).tolist()},
               'gray6x11': {'width': 6, 'height': 11, 'channels': 1, 'data': gray.reshape(-1).tolist()}},
    'synthetic': synthetic, 'real': real}) + '\n')

decoded = []
for rel in ('data/coco_stuff/val_img/000000000139.jpg', 'data/coco_stuff/train_img/000000017914.jpg',
            'data/ade20k_sceneparsing/images/ADE_val_00000002.jpg', 'data/celebamask_hq/1.jpg',
            'data/paper_figures/ADE/gt/ADE_val_00000090.jpg',
            'data/cityscapes/train_img/aachen_000000_000019_leftImg8bit.png',
            'data/paper_figures/CityScape/label/frankfurt_000000_001016_leftImg8bit.png'):
    im = Image.open(shared / rel)
    mode = im.mode
    a = np.asarray(im.convert('RGB'))
    decoded.append({'file': rel, 'mode': mode, 'width': a.shape[1], 'height': a.shape[0], 'sha256': sha(a),
                    'first': a.reshape(-1)[:12].tolist()})
Path(here / 'src/decode/__tests__/fixtures/pil-decode.json').write_text(json.dumps({
    **meta, 'note': "np.asarray(Image.open(f).convert('RGB')) of shared samples, as hashes.", 'decoded': decoded},
    indent=1) + '\n')
print('ok', len(synthetic), len(real), len(decoded))
