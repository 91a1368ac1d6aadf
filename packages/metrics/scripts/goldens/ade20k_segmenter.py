"""Reference run of the ADE20K segmenter on the shared sceneparsing samples (MODELS.md pipeline).

Run from packages/metrics with numpy, Pillow and onnxruntime 1.30:
  python scripts/goldens/ade20k_segmenter.py [shared-dir]
Writes src/seg/__tests__/fixtures/ade20k_segmenter.json: per image the pixel accuracy, the sha256
of the predicted label map (uint8, GT size) and the set-level scores, for stretch and letterbox.
Pipeline: PIL open → RGB → resize to 513² with BILINEAR (stretch) or keep-aspect + top-left pad
(letterbox, pad value 0 after normalisation) → x/127.5 − 1 → NCHW → `labels` → PIL NEAREST to the
GT size (letterbox: crop the image area first). Confusion over the set, GT 0 ignored.
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnxruntime as ort
import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', '..', '..', '..', '..', 'shared')
OUT = os.path.join(HERE, '..', '..', 'src', 'seg', '__tests__', 'fixtures', 'ade20k_segmenter.json')
K = 151


def run(sess, img, policy):
    w, h = img.size
    if policy == 'stretch':
        vw, vh = 513, 513
    else:
        s = min(513 / w, 513 / h)
        vw, vh = max(1, min(513, round(w * s))), max(1, min(513, round(h * s)))
    x = np.asarray(img.resize((vw, vh), Image.BILINEAR), dtype=np.float32) / 127.5 - 1
    inp = np.zeros((513, 513, 3), np.float32)
    inp[:vh, :vw] = x
    labels = sess.run(['labels'], {'input': inp.transpose(2, 0, 1)[None]})[0][0][:vh, :vw]
    return np.asarray(Image.fromarray(labels).resize((w, h), Image.NEAREST))


def scores(conf):
    tp = np.diag(conf)[:K].astype(np.float64)
    gt = conf.sum(1)[:K]
    pred = conf[:, :K].sum(0)
    union = gt + pred - tp
    cls = np.arange(K) != 0
    iou = np.where(union > 0, tp / np.maximum(union, 1), np.nan)
    g = cls & (gt > 0)
    u = cls & (union > 0)
    return {'accuracy': float(tp[cls].sum() / gt[cls].sum()), 'miou': float(iou[g].mean()), 'classesGt': int(g.sum()),
            'miouUnion': float(iou[u].mean()), 'classesUnion': int(u.sum())}


def main():
    model = os.path.join(SHARED, 'models', 'deeplabv3_mnv2_ade20k_513.onnx')
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(model, opts, providers=['CPUExecutionProvider'])
    root = os.path.join(SHARED, 'data', 'ade20k_sceneparsing')
    names = sorted(os.path.splitext(n)[0] for n in os.listdir(os.path.join(root, 'images')))
    out = {'generatedBy': 'packages/metrics/scripts/goldens/ade20k_segmenter.py', 'numpy': np.__version__,
           'pillow': PIL.__version__, 'onnxruntime': ort.__version__, 'policies': {}}
    for policy in ['stretch', 'letterbox']:
        conf = np.zeros((K, K + 1), np.int64)
        per = []
        for n in names:
            img = Image.open(os.path.join(root, 'images', n + '.jpg')).convert('RGB')
            gt = np.asarray(Image.open(os.path.join(root, 'annotations', n + '.png')))
            pred = run(sess, img, policy)
            m = (gt != 0)
            col = np.where((pred == 0) | (pred >= K), K, pred)
            one = np.zeros_like(conf)
            np.add.at(one, (gt[m], col[m]), 1)
            conf += one
            per.append({'name': n, 'accuracy': float((pred[m] == gt[m]).mean()), 'pixels': int(m.sum()),
                        'sha256': hashlib.sha256(pred.astype(np.uint8).tobytes()).hexdigest()})
        out['policies'][policy] = {'perImage': per, 'set': scores(conf)}
        print(policy, out['policies'][policy]['set'], [round(p['accuracy'], 4) for p in per])
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
