import { defineConfig } from 'tsup';

// Two entries share one copy of each module (splitting, also for cjs): an error class or a
// gradient registration must not exist twice when a caller imports both '.' and './internal'.
export default defineConfig({
  entry: ['src/index.ts', 'src/internal.ts'],
  format: ['esm', 'cjs'],
  splitting: true,
  dts: true,
  clean: true,
});
