import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (CI installs it too); CLADE_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.CLADE_CHROMIUM ?? '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Headless Chromium as root in a container: --no-sandbox; --enable-unsafe-swiftshader keeps WebGL
 * available without a GPU (software GL, which Chromium no longer falls back to on its own).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
}
