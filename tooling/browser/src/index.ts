export { CHROMIUM_PATH, hasChromium, launchChromium } from './chromium';
export type { BenchRow } from './bench-row';
