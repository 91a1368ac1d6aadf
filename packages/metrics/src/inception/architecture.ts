/**
 * pytorch-fid's InceptionV3 (the FID variant of the 2015-12-05 TensorFlow graph) as data: every
 * BasicConv2d (conv without bias → BatchNorm eps 1e-3 → ReLU) with its state-dict name, shape,
 * stride and padding. Names and order equal pytorch-fid's `pt_inception-2015-12-05-*.pth`
 * (torchvision's Inception3 layout without AuxLogits, plus `fc` [1008, 2048], unused for FID).
 */
export interface ConvSpec {
  /** State-dict prefix, e.g. 'Mixed_5b.branch5x5_2'; keys are `${name}.conv.weight`, `${name}.bn.*`. */
  name: string;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  stride: 1 | 2;
  /** 'same' = PyTorch's symmetric padding (k − 1)/2 at stride 1; 'valid' = none. */
  pad: 'same' | 'valid';
}

export const BN_EPSILON = 1e-3;

function conv(name: string, cin: number, cout: number, k: number | [number, number], stride: 1 | 2 = 1, padded = false): ConvSpec {
  const [kh, kw] = typeof k === 'number' ? [k, k] : k;
  return { name, cin, cout, kh, kw, stride, pad: padded || (kh === 1 && kw === 1) ? 'same' : 'valid' };
}

/** FIDInceptionA(cin, poolFeatures): 1×1 | 1×1→5×5 | 1×1→3×3→3×3 | avg-pool(3, exclude pad)→1×1. */
function blockA(p: string, cin: number, pool: number): ConvSpec[] {
  return [
    conv(`${p}.branch1x1`, cin, 64, 1),
    conv(`${p}.branch5x5_1`, cin, 48, 1),
    conv(`${p}.branch5x5_2`, 48, 64, 5, 1, true),
    conv(`${p}.branch3x3dbl_1`, cin, 64, 1),
    conv(`${p}.branch3x3dbl_2`, 64, 96, 3, 1, true),
    conv(`${p}.branch3x3dbl_3`, 96, 96, 3, 1, true),
    conv(`${p}.branch_pool`, cin, pool, 1),
  ];
}

/** InceptionB (Mixed_6a): 3×3/2 | 1×1→3×3→3×3/2 | max-pool 3/2. */
function blockB(p: string, cin: number): ConvSpec[] {
  return [
    conv(`${p}.branch3x3`, cin, 384, 3, 2),
    conv(`${p}.branch3x3dbl_1`, cin, 64, 1),
    conv(`${p}.branch3x3dbl_2`, 64, 96, 3, 1, true),
    conv(`${p}.branch3x3dbl_3`, 96, 96, 3, 2),
  ];
}

/** FIDInceptionC(cin, c7): 1×1 | 1×1→1×7→7×1 | 1×1→7×1→1×7→7×1→1×7 | avg-pool(exclude pad)→1×1. */
function blockC(p: string, cin: number, c7: number): ConvSpec[] {
  return [
    conv(`${p}.branch1x1`, cin, 192, 1),
    conv(`${p}.branch7x7_1`, cin, c7, 1),
    conv(`${p}.branch7x7_2`, c7, c7, [1, 7], 1, true),
    conv(`${p}.branch7x7_3`, c7, 192, [7, 1], 1, true),
    conv(`${p}.branch7x7dbl_1`, cin, c7, 1),
    conv(`${p}.branch7x7dbl_2`, c7, c7, [7, 1], 1, true),
    conv(`${p}.branch7x7dbl_3`, c7, c7, [1, 7], 1, true),
    conv(`${p}.branch7x7dbl_4`, c7, c7, [7, 1], 1, true),
    conv(`${p}.branch7x7dbl_5`, c7, 192, [1, 7], 1, true),
    conv(`${p}.branch_pool`, cin, 192, 1),
  ];
}

/** InceptionD (Mixed_7a): 1×1→3×3/2 | 1×1→1×7→7×1→3×3/2 | max-pool 3/2. */
function blockD(p: string, cin: number): ConvSpec[] {
  return [
    conv(`${p}.branch3x3_1`, cin, 192, 1),
    conv(`${p}.branch3x3_2`, 192, 320, 3, 2),
    conv(`${p}.branch7x7x3_1`, cin, 192, 1),
    conv(`${p}.branch7x7x3_2`, 192, 192, [1, 7], 1, true),
    conv(`${p}.branch7x7x3_3`, 192, 192, [7, 1], 1, true),
    conv(`${p}.branch7x7x3_4`, 192, 192, 3, 2),
  ];
}

/** FIDInceptionE_1/E_2: 1×1 | 1×1→(1×3, 3×1) | 1×1→3×3→(1×3, 3×1) | pool→1×1. */
function blockE(p: string, cin: number): ConvSpec[] {
  return [
    conv(`${p}.branch1x1`, cin, 320, 1),
    conv(`${p}.branch3x3_1`, cin, 384, 1),
    conv(`${p}.branch3x3_2a`, 384, 384, [1, 3], 1, true),
    conv(`${p}.branch3x3_2b`, 384, 384, [3, 1], 1, true),
    conv(`${p}.branch3x3dbl_1`, cin, 448, 1),
    conv(`${p}.branch3x3dbl_2`, 448, 384, 3, 1, true),
    conv(`${p}.branch3x3dbl_3a`, 384, 384, [1, 3], 1, true),
    conv(`${p}.branch3x3dbl_3b`, 384, 384, [3, 1], 1, true),
    conv(`${p}.branch_pool`, cin, 192, 1),
  ];
}

/** Every conv of the network in state-dict order. */
export const FID_INCEPTION_CONVS: readonly ConvSpec[] = [
  conv('Conv2d_1a_3x3', 3, 32, 3, 2),
  conv('Conv2d_2a_3x3', 32, 32, 3),
  conv('Conv2d_2b_3x3', 32, 64, 3, 1, true),
  conv('Conv2d_3b_1x1', 64, 80, 1),
  conv('Conv2d_4a_3x3', 80, 192, 3),
  ...blockA('Mixed_5b', 192, 32),
  ...blockA('Mixed_5c', 256, 64),
  ...blockA('Mixed_5d', 288, 64),
  ...blockB('Mixed_6a', 288),
  ...blockC('Mixed_6b', 768, 128),
  ...blockC('Mixed_6c', 768, 160),
  ...blockC('Mixed_6d', 768, 160),
  ...blockC('Mixed_6e', 768, 192),
  ...blockD('Mixed_7a', 768),
  ...blockE('Mixed_7b', 1280),
  ...blockE('Mixed_7c', 2048),
];

/** The state-dict keys and shapes of pytorch-fid's weights file, in file order (fc included). */
export function fidInceptionStateShapes(): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (const c of FID_INCEPTION_CONVS) {
    out.push([`${c.name}.conv.weight`, [c.cout, c.cin, c.kh, c.kw]]);
    for (const k of ['weight', 'bias', 'running_mean', 'running_var']) out.push([`${c.name}.bn.${k}`, [c.cout]]);
  }
  out.push(['fc.weight', [1008, 2048]], ['fc.bias', [1008]]);
  return out;
}
