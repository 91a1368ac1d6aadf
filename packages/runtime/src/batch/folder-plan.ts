import { constants } from 'node:fs';
import { access, readdir, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, IOError } from '@clade/core';
import { WHOLE, formatShard, shardItems, type Shard } from '@clade/data';

/** Where a folder run reads and writes: the flags of `clade synthesize --labels`. */
export interface FolderLayout {
  /** A folder of label PNGs (not searched recursively; names starting with '.' are skipped). */
  labels: string;
  /** The output folder: `<out>/<label name>.png`; made when missing. */
  out: string;
  /** Instance-map PNGs matched by name (`<instances>/<label file name>`), for models with the edge channel. */
  instances?: string;
  /** The part of the sorted file list to process (default: all). */
  shard?: Shard;
}

/** One label file of a run and the image it becomes. */
export interface FolderItem {
  /** The label file name, e.g. 'scene-1.png'. */
  name: string;
  label: string;
  instance: string | null;
  out: string;
}

/** A validated folder run: the folders, the whole sorted list's size and this shard's items. */
export interface FolderPlan {
  labels: string;
  out: string;
  instances: string | null;
  shard: string;
  /** Label PNGs in the whole folder. */
  folderSize: number;
  items: FolderItem[];
}

const isPng = (name: string): boolean => /\.png$/i.test(name) && !name.startsWith('.');

/** The output name of a label file: its stem with '.png' (so 'a.PNG' → 'a.png'). */
export const outputName = (labelName: string): string => `${labelName.slice(0, -'.png'.length)}.png`;

/** `a` is `b` or lies inside it (both absolute, resolved). */
const within = (a: string, b: string): boolean => a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep);

/** The path as the file system resolves it, for a path that may not exist yet (its nearest existing folder's real path). */
async function identity(p: string): Promise<string> {
  let head = path.resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(await realpath(head), ...tail.reverse());
    } catch {
      if (path.dirname(head) === head) return path.resolve(p);
      tail.push(path.basename(head));
      head = path.dirname(head);
    }
  }
}

async function requireFolder(dir: string, flag: string, what: string): Promise<void> {
  let s;
  try {
    s = await stat(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${(e as Error).message})`;
    throw new IOError(`${flag} '${dir}' ${why}; give a folder of ${what}.`, { cause: e });
  }
  if (!s.isDirectory()) throw new ConfigError(`${flag} '${dir}' is a file; give a folder of ${what}.`);
}

/** The label PNGs of a folder, sorted by name (code units, so every machine and shard sees one order). */
async function labelNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && isPng(e.name)).map((e) => e.name);
  names.sort();
  if (names.length === 0) throw new ConfigError(`--labels '${dir}' holds no .png files (names starting with '.' are skipped); give a folder of label PNGs.`);
  // 'a.png' and 'a.PNG' would both become 'a.png'.
  const seen = new Map<string, string>();
  for (const n of names) {
    const o = outputName(n);
    if (seen.has(o)) throw new ConfigError(`--labels '${dir}' holds '${seen.get(o)}' and '${n}', which would both be written as '${o}'; rename one.`);
    seen.set(o, n);
  }
  return names;
}

/** --out is a folder that is none of the inputs (nor inside one, nor holding one) and can be made. */
async function checkOutFolder(out: string, inputs: Array<[flag: string, dir: string]>): Promise<void> {
  const o = await identity(out);
  for (const [flag, dir] of inputs) {
    const d = await identity(dir);
    if (within(o, d)) throw new ConfigError(`--out '${out}' is ${o === d ? '' : 'inside '}${flag} '${dir}'; write the images to a folder outside it.`);
    if (within(d, o)) throw new ConfigError(`--out '${out}' holds ${flag} '${dir}'; write the images to a folder outside it.`);
  }
  // The nearest existing folder must be a writable folder (missing ones are made when the run starts).
  let dir = path.resolve(out);
  for (;;) {
    const s = await stat(dir).catch(() => null);
    if (s && !s.isDirectory()) {
      if (dir === path.resolve(out)) throw new ConfigError(`--out '${out}' is a file; with --labels it names the output folder.`);
      throw new ConfigError(`--out '${out}': '${dir}' is a file, not a folder.`);
    }
    if (s) break;
    if (path.dirname(dir) === dir) break;
    dir = path.dirname(dir);
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new IOError(`--out '${out}': the folder '${dir}' is not writable.`);
  }
}

/**
 * Lists and checks a folder run without writing anything (callers run it before loading a model):
 * the folders exist, the labels folder holds label PNGs, --out is apart from the inputs and can be
 * made; then this shard's part of the name-sorted list.
 */
export async function planSynthesisFolder(layout: FolderLayout): Promise<FolderPlan> {
  const shard = layout.shard ?? WHOLE;
  await requireFolder(layout.labels, '--labels', 'label PNGs');
  if (layout.instances !== undefined) await requireFolder(layout.instances, '--instances', 'instance-map PNGs named as the labels');
  const names = await labelNames(layout.labels);
  const inputs: Array<[string, string]> = [['--labels', layout.labels]];
  if (layout.instances !== undefined) inputs.push(['--instances', layout.instances]);
  await checkOutFolder(layout.out, inputs);
  const items = shardItems(names, shard).map((name) => ({
    name,
    label: path.join(layout.labels, name),
    instance: layout.instances === undefined ? null : path.join(layout.instances, name),
    out: path.join(layout.out, outputName(name)),
  }));
  return { labels: layout.labels, out: layout.out, instances: layout.instances ?? null, shard: formatShard(shard), folderSize: names.length, items };
}
