import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { IOError } from '@clade/core';
import { onnxModelCache } from './onnx-model';

export interface DemoServerOptions {
  /** apps/demo (static/, dist/ and node_modules/ live there). */
  demoRoot: string;
  /** The CLADE model folder (model.json, weights.bin, clade.json). */
  modelDir: string;
  /** Optional SPADE model folder shown side by side. */
  spadeModelDir?: string | null;
  /** Folder of example masks (raw-id PNGs). Default <repo>/examples/masks. */
  masksDir?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

/** What the page reads first: which models to load and which example masks exist. */
export interface DemoConfig {
  models: { key: 'clade' | 'spade'; label: string; url: string }[];
  masks: string[];
}

const MODEL_HOWTO = 'create it with `pnpm clade export <run dir> models/default-clade --crop-size 256 --float16` (see apps/demo/README.md)';

/** Throws one line naming the flag and folder when a model folder is missing or incomplete. */
export function checkModelDir(dir: string, flag: string): void {
  if (!existsSync(dir)) throw new IOError(`demo: ${flag} '${dir}' does not exist; ${MODEL_HOWTO}, or pass ${flag} <dir>.`);
  for (const f of ['model.json', 'weights.bin', 'clade.json'])
    if (!existsSync(path.join(dir, f)))
      throw new IOError(`demo: ${flag} '${dir}' has no ${f} (a model folder holds model.json, weights.bin and clade.json); ${MODEL_HOWTO}.`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
};

// A file part of a URL must be a plain name: no traversal out of the served folders.
const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * The demo's static server (node:http): the page, its bundle, tfjs' wasm binaries, the model
 * folders and example masks. It sends COOP/COEP so the page is cross-origin isolated and the
 * multi-threaded wasm backend (SharedArrayBuffer) can run.
 */
export async function startDemoServer(o: DemoServerOptions): Promise<DemoServer> {
  checkModelDir(o.modelDir, '--model');
  if (o.spadeModelDir) checkModelDir(o.spadeModelDir, '--spade-model');
  const masksDir = o.masksDir ?? path.resolve(o.demoRoot, '..', '..', 'examples', 'masks');
  const wasmDir = path.join(o.demoRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  const ortDir = path.join(o.demoRoot, 'node_modules', 'onnxruntime-web', 'dist');
  const onnxOf = onnxModelCache();
  const masks = existsSync(masksDir) ? readdirSync(masksDir).filter((f) => f.endsWith('.png') && SAFE_NAME.test(f)).sort() : [];
  const config: DemoConfig = {
    models: [
      { key: 'clade', label: 'CLADE', url: '/models/clade/' },
      ...(o.spadeModelDir ? [{ key: 'spade' as const, label: 'SPADE', url: '/models/spade/' }] : []),
    ],
    masks: masks.map((m) => `/masks/${m}`),
  };
  const roots: Record<string, string> = {
    static: path.join(o.demoRoot, 'static'),
    dist: path.join(o.demoRoot, 'dist'),
    wasm: wasmDir,
    ort: ortDir,
    clade: o.modelDir,
    masks: masksDir,
    ...(o.spadeModelDir ? { spade: o.spadeModelDir } : {}),
  };

  const route = (urlPath: string): string | null => {
    if (urlPath === '/' || urlPath === '/index.html') return path.join(roots.static!, 'index.html');
    const m = /^\/(?:(wasm|ort|masks|models\/clade|models\/spade)\/)?([^/]+)$/.exec(urlPath);
    if (!m || !SAFE_NAME.test(m[2]!)) return null;
    const [, dir, name] = m as unknown as [string, string | undefined, string];
    if (dir === undefined) {
      if (name === 'style.css') return path.join(roots.static!, name);
      if (name === 'app.js' || name === 'app.js.map') return path.join(roots.dist!, name);
      return null;
    }
    const root = roots[dir.replace('models/', '')];
    return root ? path.join(root, name) : null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-cache',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    if (urlPath === '/favicon.ico') {
      res.writeHead(204, headers).end();
      return;
    }
    if (urlPath === '/demo-config.json') {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.json']! }).end(JSON.stringify(config));
      return;
    }
    // A model folder's ONNX form (onnxruntime-web engine), exported on first request.
    const onnx = /^\/models\/(clade|spade)\/model\.onnx$/.exec(urlPath);
    const onnxDir = onnx ? roots[onnx[1]!] : undefined;
    if (onnxDir) {
      const bytes = await onnxOf(onnxDir);
      res.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' }).end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    const file = route(urlPath);
    const body = file ? await readFile(file).catch(() => null) : null;
    if (!body) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${urlPath}\n`);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file!)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`${(e as Error).message}\n`);
    });
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new IOError(`demo: cannot listen on ${host}:${o.port ?? 0} (${e.code ?? e.message}); pass --port <n>.`, { cause: e })),
    );
    server.listen(o.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
