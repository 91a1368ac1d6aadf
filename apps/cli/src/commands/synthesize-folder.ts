import { initBackend } from '@clade/backend';
import { ConfigError } from '@clade/core';
import { WHOLE, parseShard } from '@clade/data';
import type { GeneratorConfig } from '@clade/spade-gen';
import { tfjsSynthesizer } from '@clade/runtime';
import { ortSynthesizer, planSynthesisFolder, synthesizeFolder, type FolderProgress, type FolderSummary } from '@clade/runtime/node';
import { loadGenerator } from '../checkpoint';
import { describeConfig } from '../model-options';
import { backendOptions, parseMaxPixels } from '../run';
import type { FolderSynthesizeOptions } from './synthesize-options';

/** The PNG of a synthesized image: one encoder for one-file and folder mode, so both write the same bytes. */

/** Seconds as m:ss (h:mm:ss past an hour). */
export function clock(s: number): string {
  const t = Math.max(0, Math.round(s));
  const [h, m, sec] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/**
 * done/total, images/s and ETA of a run. The rate counts synthesized images only (written or
 * failed): skipped ones cost nothing, and counting them would promise a resumed run too early an end.
 */
export function progressText(p: FolderProgress): string {
  const work = p.written + p.failed;
  const rate = work / Math.max(p.elapsedMs / 1000, 1e-3);
  const eta = work > 0 && p.done < p.total ? `, ETA ${clock((p.total - p.done) / rate)}` : '';
  const extra = [p.skipped > 0 && `${p.skipped} skipped`, p.failed > 0 && `${p.failed} failed`].filter(Boolean).join(', ');
  return `${p.done}/${p.total} (${Math.floor((100 * p.done) / Math.max(p.total, 1))}%) ${rate.toFixed(2)} img/s${eta}${extra ? `; ${extra}` : ''}`;
}

/**
 * Progress on stderr: a bar redrawn in place (`\r`) on a terminal, at most 10 times a second; elsewhere
 * (logs, a queue worker) a line every 5 % or 10 s. A failed file prints its own line either way.
 */
function progressReporter(tty: boolean, write: (s: string) => void = (s) => void process.stderr.write(s)) {
  let lastAt = -Infinity;
  let lastStep = 0;
  let drawn = false;
  return {
    update(p: FolderProgress): void {
      const now = p.elapsedMs;
      if (p.error !== undefined) {
        write(`${drawn ? '\r\x1b[K' : ''}clade: ${p.error}\n`);
        drawn = false;
      }
      if (tty) {
        if (p.done < p.total && now - lastAt < 100) return;
        const w = 24;
        const fill = Math.round((w * p.done) / Math.max(p.total, 1));
        write(`\rsynthesize [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${progressText(p)}\x1b[K`);
        drawn = true;
      } else {
        const step = Math.floor((20 * p.done) / Math.max(p.total, 1));
        if (step === lastStep && now - lastAt < 10_000 && p.done < p.total) return;
        lastStep = step;
        write(`synthesize: ${progressText(p)}\n`);
      }
      lastAt = now;
    },
    end(): void {
      if (drawn) write('\n');
    },
  };
}

function summaryLine(s: FolderSummary, engine: string): string {
  const shard = s.shard === '0/1' ? '' : ` (shard ${s.shard} of ${s.folderSize} files)`;
  const status = s.aborted ? 'stopped early' : 'done';
  return (
    `synthesize ${status}: '${s.labels}' → '${s.out}'${shard}: ${s.written} written, ${s.skipped} skipped (existing), ` +
    `${s.failed.length} failed, of ${s.total}, on ${engine} in ${(s.ms / 1000).toFixed(1)} s\n`
  );
}

/** Stops the run before the next image on SIGINT / SIGTERM; a second signal exits at once. */
function stopOnSignals(ac: AbortController): () => void {
  const stop = (signal: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write(`\nclade: ${signal}: stopping after the image in progress (again to quit now; finished images are kept, a rerun resumes).\n`);
    ac.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

/**
 * `clade synthesize --labels <dir> --out <dir>`: flags and folders are checked before the model
 * loads; @clade/runtime's `synthesizeFolder` does the run. Exit 2 when a file failed, 130 when stopped.
 */
export async function synthesizeFolderCommand(o: FolderSynthesizeOptions): Promise<void> {
  const seed = Number(o.seed ?? '0');
  if (!Number.isInteger(seed)) throw new ConfigError(`--seed must be an integer, got '${o.seed}'.`);
  if (o.engine !== undefined && o.engine !== 'tfjs' && o.engine !== 'onnx') throw new ConfigError(`--engine must be tfjs or onnx, got '${o.engine}'.`);
  const shard = o.shard === undefined ? WHOLE : parseShard(o.shard, '--shard');
  const maxPixels = parseMaxPixels(o.maxPixels);
  const layout = { labels: o.labels, out: o.out, shard, ...(o.instances !== undefined && { instances: o.instances }) };
  await planSynthesisFolder(layout);

  const backend = await initBackend(backendOptions(o));
  // As one-file mode: a custom model given instance maps has the edge channel unless the checkpoint says otherwise.
  const hints: Partial<GeneratorConfig> = o.instances !== undefined && o.preset === 'custom' ? { useInstance: true } : {};
  const g = await loadGenerator(o.checkpoint, o, hints);
  const what = describeConfig(g.preset, g.config);
  if (g.config.useInstance && o.instances === undefined) {
    g.model.dispose();
    throw new ConfigError(
      `the ${what} generator takes instance maps: pass --instances <dir> (one PNG per label, same name), or --no-instance-edges for a model trained without.`,
    );
  }
  const synth = o.engine === 'onnx' ? await ortSynthesizer(g) : tfjsSynthesizer(g);
  const engine = o.engine === 'onnx' ? synth.engine.name : backend.name;

  const ac = new AbortController();
  const release = stopOnSignals(ac);
  const bar = progressReporter(!o.json && process.stderr.isTTY === true);
  let summary: FolderSummary;
  try {
    summary = await synthesizeFolder(synth, {
      ...layout, seed, force: Boolean(o.force), onProgress: (p) => bar.update(p), signal: ac.signal,
      ...(maxPixels !== undefined && { maxPixels }),
    });
  } finally {
    bar.end();
    release();
    await synth.dispose();
  }
  const json = { ...summary, generator: what, checkpoint: g.source, seed, backend: engine };
  process.stdout.write(o.json ? `${JSON.stringify(json, null, 2)}\n` : summaryLine(summary, engine));
  if (summary.failed.length > 0) process.exitCode = 2;
  else if (summary.aborted) process.exitCode = 130;
}
