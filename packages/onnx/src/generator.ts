import { ConfigError } from '@clade/core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { exportLayersModelToOnnx } from './convert';
import './converters';

/**
 * The generator fields the exporter reads (structurally a @clade/spade-gen SpadeGenerator; typed
 * here so this package needs spade-gen only for its tests).
 */
export interface ExportableGenerator {
  readonly model: tfl.LayersModel;
  readonly config: {
    labelNc: number;
    containDontcare: boolean;
    useInstance: boolean;
    useVae: boolean;
    zDim: number;
    cropSize: number;
    aspectRatio: number;
    numUpsamplingLayers: string;
    normMode?: unknown;
  };
  readonly usesDist: boolean;
}

export interface ExportGeneratorOptions {
  /**
   * Size of the label map (and edge/dist maps) the model takes. Default: the output size
   * (cropSize × cropSize/aspectRatio), as the official test loader feeds it.
   */
  inputSize?: { height: number; width: number };
  /** Free text stored in the model's doc_string. */
  doc?: string;
  /** CLADE's modulation as clade's fused op; the model then needs the native runner (see ExportLayersModelOptions.fusedClade). */
  fusedClade?: boolean;
}

/** What the exported graph takes and returns; also stored as JSON in metadata 'clade.io'. */
export interface GeneratorIo {
  /** int32 [N,H,W]: class index per pixel in [0, numClasses) (labelNc classes, then dontcare). */
  label: { height: number; width: number; numClasses: number };
  /** float32 [N,1,H,W] instance-edge map (0/1); present when the generator uses instances. */
  edge: boolean;
  /** float32 [N,2,H,W] CLADE-ICPE positional map (row, column offsets); present for ICPE norms. */
  dist: boolean;
  /** float32 [N,zDim] VAE latent; present for VAE generators (0 otherwise). */
  zDim: number;
  /** float32 [N,3,H',W'] in [−1, 1], NCHW. */
  image: { height: number; width: number };
}

/** The input/output contract of a generator's ONNX export. */
export function generatorIo(g: ExportableGenerator, options: ExportGeneratorOptions = {}): GeneratorIo {
  const out = g.model.outputs[0]!.shape;
  const height = out[1]!;
  const width = out[2]!;
  const size = options.inputSize ?? { height, width };
  for (const k of ['height', 'width'] as const)
    if (!Number.isInteger(size[k]) || size[k] < 1)
      throw new ConfigError(`exportGeneratorToOnnx: inputSize.${k} must be a positive integer, got ${String(size[k])}.`);
  return {
    label: { ...size, numClasses: g.config.labelNc + (g.config.containDontcare ? 1 : 0) },
    edge: g.config.useInstance,
    dist: g.usesDist,
    zDim: g.config.useVae ? g.config.zDim : 0,
    image: { height, width },
  };
}

/**
 * Exports a SPADE/CLADE/CLADE-ICPE generator (eval mode) to ONNX bytes. Inputs: `label`
 * (int32 [N,H,W]), `edge` (float32 [N,1,H,W], with instances), `dist` (float32 [N,2,H,W],
 * CLADE-ICPE), `z` (float32 [N,zDim], VAE); output `image` float32 [N,3,H,W] in [−1, 1].
 * These replace the tfjs generator's NHWC one-hot segmap (classes, dontcare, edge last): label
 * = argmax of its class channels, edge = its last channel.
 */
export function exportGeneratorToOnnx(g: ExportableGenerator, options: ExportGeneratorOptions = {}): Uint8Array {
  const io = generatorIo(g, options);
  return exportLayersModelToOnnx(g.model, {
    inputSize: { height: io.label.height, width: io.label.width },
    inputs: { seg: { kind: 'semantic', numClasses: io.label.numClasses, edge: io.edge } },
    outputNames: ['image'],
    graphName: 'clade_generator',
    doc: options.doc ?? `@clade/onnx export of a ${String(g.config.normMode ?? 'semantic')} generator`,
    metadata: { 'clade.io': JSON.stringify(io), 'clade.config': JSON.stringify(g.config) },
    fusedClade: options.fusedClade ?? false,
  });
}
