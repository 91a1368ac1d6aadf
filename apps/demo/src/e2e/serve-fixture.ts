// `node --conditions=@clade/source --import tsx apps/demo/src/e2e/serve-fixture.ts [--ngf <n>] [--spade]`:
// `startDemoFixture` as a process, for callers that do not import apps (`pnpm bench demo`). Prints
// one JSON line {"url", "bundled"} once serving; stops (server closed, its temporary models removed)
// when its stdin closes or on SIGINT/SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDemoFixture } from './fixture';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ngf: { type: 'string' }, spade: { type: 'boolean', default: false } } });
  const demoRoot = fileURLToPath(new URL('../..', import.meta.url));
  const tmp = mkdtempSync(path.join(tmpdir(), 'clade-demo-fixture-'));
  const removeTmp = () => rmSync(tmp, { recursive: true, force: true });
  const fx = await startDemoFixture(demoRoot, tmp, {
    fallback: values.ngf === undefined ? undefined : { ngf: Number(values.ngf) },
    spade: values.spade,
  }).catch((e: unknown) => {
    removeTmp();
    throw e;
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await fx.server.close();
    removeTmp();
    process.exit(0);
  };
  process.stdin.on('end', () => void stop()).resume();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
  process.stdout.write(`${JSON.stringify({ url: fx.server.url, bundled: fx.bundled })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
