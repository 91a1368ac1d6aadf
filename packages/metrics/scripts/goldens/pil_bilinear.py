"""Goldens for resizeBilinearPil: Pillow's Image.BILINEAR on hashed RGB images.

Run from packages/metrics with a Python that has numpy + Pillow:
  python scripts/goldens/pil_bilinear.py
Writes src/seg/__tests__/fixtures/pil_bilinear.json (sha256 of the output bytes per case).
Input pixel (i = row*W + x, channel c) = floor(u(seed, i, c) * 256), u from hashed.py.
"""
import hashlib
import json
import os

import numpy as np
import PIL
from PIL import Image

from hashed import hashed_uniform

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'src', 'seg', '__tests__', 'fixtures', 'pil_bilinear.json')

CASES = [(7, 5, 3, 11), (13, 9, 7, 4), (16, 16, 33, 33), (40, 30, 9, 9), (683, 512, 513, 513), (256, 256, 513, 513),
         (300, 400, 200, 513), (9, 1, 4, 2)]


def main():
    cases = []
    for k, (w, h, ow, oh) in enumerate(CASES):
        seed = 1000 + k
        i = np.arange(w * h, dtype=np.uint64)[:, None]
        c = np.arange(3, dtype=np.uint64)[None, :]
        px = np.floor(hashed_uniform(seed, i, c) * 256).astype(np.uint8).reshape(h, w, 3)
        out = np.asarray(Image.fromarray(px, 'RGB').resize((ow, oh), Image.BILINEAR))
        cases.append({'seed': seed, 'width': w, 'height': h, 'outWidth': ow, 'outHeight': oh,
                      'sha256': hashlib.sha256(out.tobytes()).hexdigest(), 'first': out.reshape(-1)[:12].tolist()})
    with open(OUT, 'w') as f:
        json.dump({'generatedBy': 'packages/metrics/scripts/goldens/pil_bilinear.py', 'pillow': PIL.__version__,
                   'numpy': np.__version__, 'cases': cases}, f, indent=1)
        f.write('\n')
    print('wrote', OUT)


if __name__ == '__main__':
    main()
