import { IOError } from '@clade/core';
import type { NativeBinding, NativeSessionHandle } from '@clade/ort-native';
import type { GeneratorSession, SessionFeed } from './ort';

/**
 * The ONNX path with clade's fused CLADE op: sessions of @clade/ort-native, our Node-API binding
 * of the same onnxruntime that onnxruntime-node ships, with the ai.clade custom ops registered.
 * It is compiled on install where a C compiler and Node's headers exist (linux, macOS).
 */
let binding: Promise<NativeBinding> | undefined;

export function loadNativeOrt(): Promise<NativeBinding> {
  binding ??= import('@clade/ort-native')
    .then((m) => ((m as unknown as { default?: { load(): NativeBinding } }).default ?? m).load())
    .catch((e: unknown) => {
      binding = undefined;
      throw new IOError(`The native onnxruntime path is unavailable: ${(e as Error).message}`, { cause: e });
    });
  return binding;
}

/** Whether the native path loads here; `reason` says why not. */
export async function nativeOrtAvailability(): Promise<{ available: true; onnxruntime: string } | { available: false; reason: string }> {
  try {
    return { available: true, onnxruntime: (await loadNativeOrt()).version };
  } catch (e) {
    return { available: false, reason: (e as Error).message };
  }
}

/** A native session behind the slice of onnxruntime-node's InferenceSession our runners use. */
export class NativeOrtSession implements GeneratorSession {
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly inputMetadata: { name: string; isTensor: true; shape: number[] }[];

  private constructor(
    private readonly b: NativeBinding,
    private readonly handle: NativeSessionHandle,
  ) {
    const d = b.describe(handle);
    this.inputMetadata = d.inputs.map((i) => ({ name: i.name, isTensor: true, shape: i.dims }));
    this.inputNames = d.inputs.map((i) => i.name);
    this.outputNames = d.outputs.map((o) => o.name);
  }

  /** `threads` 0 / absent: onnxruntime's default; `profileFilePrefix`: write a per-node profile. */
  static async create(model: Uint8Array, source: string, options: { threads?: number; profileFilePrefix?: string } = {}): Promise<NativeOrtSession> {
    const b = await loadNativeOrt();
    try {
      return new NativeOrtSession(b, b.createSession(model, options.threads ?? 0, options.profileFilePrefix ?? ''));
    } catch (e) {
      throw new IOError(`createSession: '${source}' is not a model onnxruntime can load (${(e as Error).message}).`, { cause: e });
    }
  }

  async run(feeds: Record<string, SessionFeed>): Promise<Record<string, { dims: readonly number[]; data: unknown; dispose(): void }>> {
    const inputs = Object.entries(feeds).map(([name, t]) => ({ name, dims: [...t.dims], data: t.data as Float32Array | Int32Array }));
    const outs = await this.b.run(this.handle, inputs, this.outputNames);
    return Object.fromEntries(this.outputNames.map((n, i) => [n, { ...outs[i]!, dispose: () => undefined }]));
  }

  endProfiling(): string {
    return this.b.endProfiling(this.handle);
  }

  async release(): Promise<void> {
    this.b.release(this.handle);
  }
}
