import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectNoLeaks } from './leaks';
import { reloadLayersModel } from './reload';

type Layer = tfl.layers.Layer;

export interface LayerContractSpec {
  /** Builds a fresh layer from args (the same args every time). */
  make: () => Layer;
  /** Concrete inputs (shapes define the symbolic inputs too; batch is left free). */
  inputs: () => tf.Tensor[];
  /** Expected output shape for `inputs()`. */
  outputShape: number[];
  /** Expected weight names (without the layer-name prefix), in order. */
  weightNames: string[];
  /** Number of trainable weights. */
  trainable: number;
}

/**
 * One battery for every layer: shapes, config round trip, LayersModel save/load, gradients
 * for every trainable weight, no tensor leaks. Each layer file's test calls it once.
 */
export function describeLayerContract(name: string, spec: LayerContractSpec): void {
  describe(`${name} layer contract`, () => {
    it('computes the documented output shape, concretely and symbolically', () => {
      const layer = spec.make();
      const xs = spec.inputs();
      const y = layer.apply(xs) as tf.Tensor;
      expect(y.shape).toEqual(spec.outputShape);
      const sym = xs.map((x) => tfl.input({ shape: x.shape.slice(1) }));
      const out = layer.apply(sym) as tfl.SymbolicTensor;
      expect(out.shape).toEqual([null, ...spec.outputShape.slice(1)]);
      tf.dispose([y, ...xs]);
    });

    it('round-trips its config', () => {
      const layer = spec.make();
      const config = layer.getConfig();
      const Cls = layer.constructor as new (c: unknown) => Layer;
      expect(new Cls(config).getConfig()).toEqual(config);
    });

    it('saves and loads inside a LayersModel with equal predictions and stable weight names', async () => {
      const layer = spec.make();
      const xs = spec.inputs();
      const sym = xs.map((x) => tfl.input({ shape: x.shape.slice(1) }));
      const model = tfl.model({ inputs: sym, outputs: layer.apply(sym) as tfl.SymbolicTensor });
      const names = layer.weights.map((w) => w.originalName.slice(layer.name.length + 1));
      expect(names).toEqual(spec.weightNames);
      const loaded = await reloadLayersModel(model);
      const a = model.predict(xs) as tf.Tensor;
      const b = loaded.predict(xs) as tf.Tensor;
      expect(b.shape).toEqual(a.shape);
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-6);
      tf.dispose([a, b, ...xs]);
      model.layers.forEach((l) => l.dispose());
      loaded.layers.forEach((l) => l.dispose());
    });

    it('gives a non-zero gradient to every trainable weight', () => {
      const layer = spec.make();
      const xs = spec.inputs();
      const probe = tf.tidy(() => tf.randomNormal((layer.apply(xs) as tf.Tensor).shape as number[], 0, 1, 'float32', 7));
      expect(layer.trainableWeights.length).toBe(spec.trainable);
      // Gradients at a generic point: a zero-initialised table would legitimately zero some.
      layer.trainableWeights.forEach((w, i) => {
        const v = tf.tidy(() => tf.add(w.read(), tf.randomNormal(w.shape as number[], 0, 0.5, 'float32', 11 + i)));
        w.write(v);
        v.dispose();
      });
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(layer.apply(xs, { training: true }) as tf.Tensor, probe)) as tf.Scalar,
        layer.trainableWeights.map((w) => (w.read() as tf.Variable)),
      );
      for (const w of layer.trainableWeights) {
        const g = grads[(w.read() as tf.Variable).name];
        expect(g).toBeDefined();
        const norm = tf.tidy(() => tf.sum(tf.abs(g!)).dataSync()[0]!);
        expect({ weight: w.originalName, nonZero: norm > 0 }).toEqual({ weight: w.originalName, nonZero: true });
      }
      tf.dispose([value, probe, ...xs, ...Object.values(grads)]);
    });

    it('leaks no tensors across calls, in eval and training mode', async () => {
      const layer = spec.make();
      const xs = spec.inputs();
      await expectNoLeaks(() => layer.apply(xs));
      await expectNoLeaks(() => layer.apply(xs, { training: true }));
      tf.dispose(xs);
    });
  });
}
