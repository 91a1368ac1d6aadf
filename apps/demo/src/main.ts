// The painter page: loads the models, picks a backend, wires painter, palette and outputs.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createMask, resizeMaskNearest, type LabelMask } from './lib/label-mask';
import { MASK_ENCODINGS, maskToRawRgba, type MaskEncodingChoice } from './lib/mask-codec';
import { demoClasses } from './lib/palette';
import { formatMs, median } from './lib/stats';
import {
  BACKEND_CHOICES, backendDetail, MEASURED_BACKENDS, ORT_BACKEND, parseBackendChoice, requestWasmThreads, trySetBackend,
  webglRenderer,
} from './ui/backends';
import { parseThreadsChoice } from './lib/threads-choice';
import { parseBenchOptions, runBench, type BenchRow } from './ui/bench';
import { byId, downloadCanvas, drawRgba, el } from './ui/dom';
import { LatencyView } from './ui/latency-view';
import { describeDecoded, loadMaskImage } from './ui/mask-io';
import { ModelRunner } from './ui/model-runner';
import { OrtRunner } from './ui/ort-runner';
import type { Synthesizer } from './ui/synthesizer';
import { Painter, TOOLS, type Tool } from './ui/painter';
import { renderPalette } from './ui/palette-view';

interface DemoConfig {
  models: { key: string; label: string; url: string }[];
  masks: string[];
}

declare global {
  interface Window {
    /** Read by the browser test and `pnpm bench demo`. */
    __cladeBench?: BenchRow[];
  }
}

const params = new URLSearchParams(location.search);
const status = (s: string) => (byId('status').textContent = s);
const setState = (s: 'loading' | 'ready' | 'bench-done' | 'error') => (document.body.dataset.state = s);

function showError(e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  byId('error').textContent = msg;
  byId('error').hidden = false;
  console.error(e);
}

/** The models on an engine: onnxruntime-web runners for 'ort-wasm', else the tfjs ones. */
type RunnersFor = (backend: string) => Promise<Synthesizer[]>;

/** Median of a few runs of the first model per backend; returns the fastest backend and a summary. */
async function pickFastest(runnersFor: RunnersFor, mask: LabelMask): Promise<{ name: string; summary: string }> {
  const timings: [string, number][] = [];
  const skipped: string[] = [];
  for (const b of MEASURED_BACKENDS) {
    // Software GL runs a 256² generator 10–50× slower than wasm (measured: ngf-4 CLADE 12.6 s on
    // SwiftShader); timing it would stall the page for a minute, so it is only used when asked for.
    if (b === 'webgl' && webglRenderer()?.software) {
      skipped.push('webgl is software GL (pick it above to try)');
      continue;
    }
    if (!(await trySetBackend(b))) continue;
    status(`measuring ${b}…`);
    const runner = await runnersFor(b)
      .then((r) => r[0]!)
      .catch((e: unknown) => {
        skipped.push(`${b} does not load (${e instanceof Error ? e.message : String(e)})`);
        return null;
      });
    if (!runner) continue;
    await runner.synthesize(mask); // warm-up: shader compiles, wasm JIT
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push((await runner.synthesize(mask)).ms);
    timings.push([b, median(runs)]);
  }
  if (timings.length === 0) return { name: 'cpu', summary: 'neither webgl nor wasm loads here' };
  timings.sort((a, b) => a[1] - b[1]);
  return { name: timings[0]![0], summary: [`measured ${timings.map(([b, ms]) => `${b} ${formatMs(ms)}`).join(', ')}`, ...skipped].join('; ') };
}

function renderBenchTable(rows: BenchRow[]): HTMLTableElement {
  const clade = (b: string) => rows.find((r) => r.backend === b && r.model === 'CLADE')?.medianMs ?? null;
  const wasm = (m: string) => rows.find((r) => r.backend === 'wasm' && r.model === m)?.medianMs ?? null;
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? `${(a / b).toFixed(2)}×` : '–');
  return el(
    'table',
    { id: 'bench-table' },
    el('tr', {}, ...['backend', 'runs on', 'model', 'median', '÷ CLADE', '÷ same model on wasm'].map((h) => el('th', {}, h))),
    ...rows.map((r) =>
      el(
        'tr',
        {},
        ...[
          r.backend, r.detail, `${r.model} (${r.description})`,
          r.medianMs === null ? '–' : `${r.capped ? '≥ ' : ''}${formatMs(r.medianMs)}`,
          ratio(r.medianMs, clade(r.backend)), ratio(r.medianMs, wasm(r.model)),
        ].map((c) => el('td', {}, c)),
      ),
    ),
  );
}

async function initialMask(config: DemoConfig, size: { width: number; height: number }): Promise<LabelMask> {
  const first = config.masks[0];
  if (!first) return createMask(size.width, size.height, 3); // all sky
  const d = await loadMaskImage(first, 'auto');
  return resizeMaskNearest(d.mask, size.width, size.height);
}

async function main(): Promise<void> {
  setState('loading');
  const choice = parseBackendChoice(params.get('backend'));
  requestWasmThreads(parseThreadsChoice(params.get('threads'), navigator.hardwareConcurrency));
  const config = (await (await fetch('/demo-config.json')).json()) as DemoConfig;
  // Load on wasm (always present) when measuring; a model's weights follow the backend on use.
  // (onnxruntime-web reads the model's config from the tfjs folder, which loads on wasm.)
  const loadOn = choice === 'auto' || choice === ORT_BACKEND ? 'wasm' : choice;
  if (!(await trySetBackend(loadOn))) throw new Error(`backend '${loadOn}' does not load in this browser; try ?backend=cpu.`);
  status('loading models…');
  const runners = await Promise.all(config.models.map((m) => ModelRunner.load(m.label, m.url)));
  let ortRunners: Promise<Synthesizer[]> | null = null;
  const runnersFor: RunnersFor = async (backend) =>
    backend === ORT_BACKEND
      ? (ortRunners ??= Promise.all(config.models.map((m, i) => OrtRunner.load(m.label, m.url, runners[i]!.runtime.generator))))
      : runners;
  const mask = await initialMask(config, runners[0]!.size);

  if (params.get('bench') === '1') {
    window.__cladeBench = [];
    const rows = await runBench(
      runnersFor,
      mask,
      parseBenchOptions(params),
      (s) => {
        status(s);
        console.log(s); // the bench suite follows progress on the console
      },
      window.__cladeBench,
    );
    byId('bench').append(renderBenchTable(rows));
    byId('bench').hidden = false;
    window.__cladeBench = rows;
    status('bench done');
    setState('bench-done');
    return;
  }

  let backend: string = choice === 'auto' ? loadOn : choice;
  let backendNote = await backendDetail(backend);
  if (choice === 'auto') {
    const { name, summary } = await pickFastest(runnersFor, mask);
    await trySetBackend(name);
    backend = name;
    backendNote = `auto: ${summary} → ${name}; ${await backendDetail(name)}`;
  }
  setupUi(await runnersFor(backend), backend, mask, backendNote, config);
}

function setupUi(runners: Synthesizer[], backend: string, mask: LabelMask, backendNote: string, config: DemoConfig): void {
  const backendSelect = byId<HTMLSelectElement>('backend');
  backendSelect.replaceChildren(...BACKEND_CHOICES.map((b) => el('option', { value: b, textContent: b })));
  backendSelect.value = parseBackendChoice(params.get('backend'));
  backendSelect.onchange = () => {
    params.set('backend', backendSelect.value);
    location.search = params.toString(); // a clean page per backend: no half-moved weights
  };
  byId('backend-info').textContent = `running on ${backend} (${backendNote})`;
  document.body.dataset.backend = backend;

  // Outputs, one card per model.
  const outputs = runners.map((r) => {
    const canvas = el('canvas', { className: 'output', width: r.size.width, height: r.size.height });
    const latency = el('div', { className: 'latency' }, 'waiting…');
    const save = el('button', { textContent: 'download image', onclick: () => downloadCanvas(canvas, `clade-${r.label.toLowerCase()}.png`) });
    byId('outputs').append(
      el(
        'figure',
        { className: 'card', dataset: { model: r.label } },
        el('figcaption', {}, el('b', {}, r.label), ` ${r.description}`),
        canvas,
        latency,
        save,
      ),
    );
    return { runner: r, canvas, latency: new LatencyView(latency) };
  });

  // Style (VAE z from a seed), only where a model takes z.
  let seed = 0;
  const seedInput = byId<HTMLInputElement>('seed');
  const styled = runners.some((r) => r.hasStyle);
  seedInput.disabled = !styled;
  byId<HTMLButtonElement>('new-style').disabled = !styled;
  byId('style-note').textContent = styled ? '' : 'this model has no style input (trained without --vae): the output is a function of the mask only';

  // Live synthesis: edits mark the mask dirty; one loop renders the latest mask, so a slow backend
  // skips intermediate states instead of queueing them.
  let dirty = true;
  let busy = false;
  let count = 0;
  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      while (dirty) {
        dirty = false;
        for (const o of outputs) {
          const out = await o.runner.synthesize(painter.current, seed);
          drawRgba(o.canvas, out.rgba, out.width, out.height);
          o.latency.add(out.ms);
        }
        document.body.dataset.synthCount = String(++count);
      }
    } catch (e) {
      showError(e);
    } finally {
      busy = false;
    }
  };
  const request = () => {
    dirty = true;
    void pump();
  };

  const painter = new Painter(byId<HTMLCanvasElement>('mask'), mask, () => {
    refreshButtons();
    request();
  });
  const palette = renderPalette(byId('palette'), demoClasses(), painter.classId, (id) => {
    painter.classId = id;
    palette.select(id);
    if (painter.tool === 'eraser') setTool('brush');
  });

  const toolButtons = new Map(TOOLS.map((t) => [t, byId<HTMLButtonElement>(`tool-${t}`)]));
  const setTool = (t: Tool) => {
    painter.tool = t;
    for (const [k, b] of toolButtons) b.classList.toggle('selected', k === t);
  };
  for (const [t, b] of toolButtons) b.onclick = () => setTool(t);
  setTool('brush');

  const size = byId<HTMLInputElement>('brush-size');
  const setSize = (r: number) => {
    painter.radius = Math.max(1, Math.min(64, r));
    size.value = String(painter.radius);
    byId('brush-size-label').textContent = `${painter.radius * 2} px`;
  };
  size.oninput = () => setSize(Number(size.value));
  setSize(painter.radius);

  const undo = byId<HTMLButtonElement>('undo');
  const redo = byId<HTMLButtonElement>('redo');
  const refreshButtons = () => {
    undo.disabled = !painter.canUndo;
    redo.disabled = !painter.canRedo;
  };
  undo.onclick = () => painter.undo();
  redo.onclick = () => painter.redo();
  refreshButtons();

  seedInput.onchange = () => {
    seed = Math.trunc(Number(seedInput.value)) || 0;
    request();
  };
  byId('new-style').onclick = () => {
    seed = Math.floor(Math.random() * 1e6);
    seedInput.value = String(seed);
    request();
  };

  // Masks: examples, files, downloads.
  const encoding = byId<HTMLSelectElement>('mask-encoding');
  encoding.replaceChildren(
    ...MASK_ENCODINGS.map((m) =>
      el('option', { value: m, textContent: m === 'auto' ? 'auto-detect' : m === 'raw' ? 'raw ADE20K ids (grey)' : 'ADE20K colours' }),
    ),
  );
  const load = async (source: Blob | string, name: string) => {
    try {
      const d = await loadMaskImage(source, encoding.value as MaskEncodingChoice);
      const target = painter.current;
      painter.setMask(resizeMaskNearest(d.mask, target.width, target.height));
      status(describeDecoded(d, name, target));
      byId('error').hidden = true;
    } catch (e) {
      showError(e);
    }
  };
  const examples = byId<HTMLSelectElement>('example');
  examples.replaceChildren(...config.masks.map((m) => el('option', { value: m, textContent: m.split('/').pop()! })));
  examples.onchange = () => void load(examples.value, examples.value.split('/').pop()!);
  byId<HTMLInputElement>('mask-file').onchange = (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void load(f, f.name);
  };
  byId('download-mask').onclick = () => {
    const m = painter.current;
    const c = el('canvas', { width: m.width, height: m.height });
    drawRgba(c, maskToRawRgba(m), m.width, m.height);
    downloadCanvas(c, 'mask-ade20k-ids.png');
  };
  byId('download-mask-color').onclick = () => downloadCanvas(painter.canvas, 'mask-ade20k-colours.png');

  document.addEventListener('keydown', (e) => {
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'z') {
      if (e.shiftKey) painter.redo();
      else painter.undo();
    } else if (mod && e.key.toLowerCase() === 'y') painter.redo();
    else if (e.key === 'b') setTool('brush');
    else if (e.key === 'f') setTool('fill');
    else if (e.key === 'e') setTool('eraser');
    else if (e.key === '[') setSize(painter.radius - 2);
    else if (e.key === ']') setSize(painter.radius + 2);
    else return;
    e.preventDefault();
  });

  status('ready: paint on the mask (b brush, f fill, e eraser, [ ] size, Ctrl+Z undo)');
  setState('ready');
  request();
}

main().catch((e: unknown) => {
  showError(e);
  setState('error');
});
