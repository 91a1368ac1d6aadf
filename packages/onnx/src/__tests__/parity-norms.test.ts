// ONNX export parity, one generator per norm (see helpers/parity.ts).
import { describeOnnxParity, type ParityCase } from './helpers/parity';

const CASES: ParityCase[] = [
  { tag: 'spade, instances', config: { normMode: 'spade', useInstance: true } },
  { tag: 'clade', config: { normMode: 'clade' } },
  { tag: 'clade, instances, batch 2', config: { normMode: 'clade', useInstance: true }, batch: 2 },
  { tag: 'clade-icpe, instances', config: { normMode: 'cladeIcpe', useInstance: true } },
];

describeOnnxParity(CASES);
