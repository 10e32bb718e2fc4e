/**
 * report.html in a real browser: Chromium headless loads the file offline, runs uPlot and the
 * report script, and the DOM it dumps must say every chart drew. Skipped (with the reason) when
 * Chromium is not installed; CI may `apt-get install -y chromium` to run it.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHtml } from '../../reports/html.js';
import { syntheticResult } from './fixture.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!CHROMIUM) console.warn('[osqsim] skipping the headless report check: no Chromium at /usr/bin/chromium (apt-get install -y chromium)');

describe.skipIf(!CHROMIUM)(`report.html in headless Chromium${CHROMIUM ? '' : ' (skipped: no Chromium at /usr/bin/chromium; apt-get install -y chromium)'}`, () => {
  it('draws all nine charts offline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-chromium-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(syntheticResult()));
    const dom = execFileSync(
      CHROMIUM!,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1200,900', '--virtual-time-budget=5000', '--dump-dom', `file://${file}`],
      { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(dom).toContain('data-charts-drawn="9"');
    // uPlot creates a canvas per chart.
    expect((dom.match(/<canvas/g) ?? []).length).toBeGreaterThanOrEqual(9);
  }, 90_000);
});
