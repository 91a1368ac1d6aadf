import { IOError } from '../errors';
import { writeFileAtomic } from './atomic';
import type { NdArray } from './ndarray';
import { readNpy, readNpz, writeNpy, writeNpz, type ReadNpzOptions, type WriteNpzOptions } from './npy';
import { readTorchCheckpoint, type ReadTorchCheckpointOptions } from './torch/load';
import { writeTorchCheckpoint, type WriteTorchCheckpointOptions } from './torch/save';

/** Node-only file helpers; every error names the path. `node:fs` is imported lazily. */

async function readBytes(path: string, component: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  try {
    const buf = await fs.readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new IOError(`${component}: could not read '${path}' (${why}).`, { cause: e });
  }
}

/** Reads a .npy file; errors name `path`. */
export async function loadNpyFile(path: string): Promise<NdArray> {
  return readNpy(await readBytes(path, 'loadNpyFile'), path);
}

/** Writes `arr` as a .npy file, atomically. */
export async function saveNpyFile(path: string, arr: NdArray): Promise<void> {
  await writeFileAtomic(path, writeNpy(arr));
}

/** Reads a .npz file (e.g. pytorch-fid statistics: `mu`, `sigma`); errors name `path`. */
export async function loadNpzFile(path: string, options?: ReadNpzOptions): Promise<Map<string, NdArray>> {
  return readNpz(await readBytes(path, 'loadNpzFile'), path, options);
}

/** Writes named arrays as a .npz file, atomically. */
export async function saveNpzFile(
  path: string,
  arrays: Map<string, NdArray> | Record<string, NdArray>,
  options?: WriteNpzOptions,
): Promise<void> {
  await writeFileAtomic(path, writeNpz(arrays, options));
}

/** Reads the state dict of a torch.save file (zip or legacy format); errors name `path`. */
export async function loadTorchCheckpointFile(
  path: string,
  options?: ReadTorchCheckpointOptions,
): Promise<Map<string, NdArray>> {
  return readTorchCheckpoint(await readBytes(path, 'loadTorchCheckpointFile'), path, options);
}

/** Writes a state dict in torch.save's zip format, atomically. */
export async function saveTorchCheckpointFile(
  path: string,
  state: Map<string, NdArray>,
  options?: WriteTorchCheckpointOptions,
): Promise<void> {
  await writeFileAtomic(path, writeTorchCheckpoint(state, options));
}
