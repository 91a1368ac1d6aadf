#!/usr/bin/env node
// Published entry: the built CLI. In the repository, `pnpm clade` runs src/ directly.
import('../dist/main.js').then((m) => m.main(process.argv)).catch((e) => {
  console.error(e);
  process.exit(1);
});
