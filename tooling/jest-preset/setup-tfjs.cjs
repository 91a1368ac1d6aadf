// Every test file starts on the pure-JS cpu backend: deterministic and always available.
// The union package registers the gradients and chained ops (tfjs-core alone registers none).
// Tests that exercise another backend switch explicitly and switch back.
const tf = require('@tensorflow/tfjs');

tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
