/**
 * Headless Chromium for the page tests (Debian's /usr/bin/chromium through playwright-core):
 * no network services, no first-run work.
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";

/** The system Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags that keep Chromium from reaching the network or doing first-run work. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Why the page tests cannot run here, or undefined when Chromium is installed. */
export function chromiumMissing(): string | undefined {
  try {
    Deno.statSync(CHROMIUM);
    return undefined;
  } catch {
    return `${CHROMIUM} is absent (sh scripts/setup-jupyter.sh --browser)`;
  }
}

/** Starts headless Chromium; close it with `browser.close()`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}
