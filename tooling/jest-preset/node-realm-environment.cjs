// jest runs tests in a vm realm with its own typed-array constructors; native addons
// (onnxruntime-node) and some tfjs checks compare against the outer realm's. Share them.
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class NodeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
    this.global.ArrayBuffer = globalThis.ArrayBuffer;
  }
}

module.exports = NodeRealmEnvironment;
