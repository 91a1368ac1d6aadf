/** The wasm worker pool tfjs-backend-wasm pre-creates; its threadpool cannot grow past it. */
export const WASM_MAX_THREADS = 8;

/**
 * The wasm thread count the page asks for: `?threads=N` (1..8), else every logical core (at most 8).
 * The page runs one synthesis at a time, so it wants all of them.
 */
export function parseThreadsChoice(v: string | null, cores: number): number {
  const all = Math.max(1, Math.min(WASM_MAX_THREADS, cores || 1));
  if (v === null || v === '') return all;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > WASM_MAX_THREADS)
    throw new Error(`demo: ?threads= must be an integer from 1 to ${WASM_MAX_THREADS}, got '${v}'.`);
  return n;
}
