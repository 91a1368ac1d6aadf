import { spawnSync } from 'node:child_process';

let compiler: boolean | undefined;

/**
 * Whether a C compiler runs here (`$CC`, else `cc`). Where one does, `pnpm install` builds
 * @clade/ort-native, so the native tests must run (and fail if it did not build).
 */
export function hasCCompiler(): boolean {
  compiler ??= spawnSync(process.env.CC || 'cc', ['--version']).status === 0;
  return compiler;
}

/** `describe` where a C compiler exists; elsewhere skipped with a visible SKIPPED warning. */
export function describeNative(name: string, fn: () => void): void {
  if (hasCCompiler()) {
    describe(name, fn);
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED ${name}: no C compiler here, so @clade/ort-native was not built (the wasm path is tested instead).`);
  describe.skip(name, fn);
}
