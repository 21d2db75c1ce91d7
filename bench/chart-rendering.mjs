// Issue 12's benchmark, part 3: 5 overlaid series of 100,000 points in
// headless Chromium, uPlot (the lab's charts) against Chart.js with its
// decimation plugin, time from creating the chart to its first paint.
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from './lib.mjs';

/**
 * First-paint times in ms, `reps` of each library after one warm-up.
 *
 * @param {number} reps
 * @returns {Promise<{uplot: number[], chartjs: number[]}>}
 */
export async function measureChartRendering(reps) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu']
  });
  const page = await browser.newPage({
    viewport: { width: 1200, height: 800 }
  });
  await page.setContent(
    '<html><body style="margin:0"><div id="c" style="width:1000px;height:400px"></div></body></html>'
  );
  await page.addStyleTag({
    path: join(ROOT, 'node_modules/uplot/dist/uPlot.min.css')
  });
  await page.addScriptTag({
    path: join(ROOT, 'node_modules/uplot/dist/uPlot.iife.min.js')
  });
  await page.addScriptTag({
    path: join(ROOT, 'node_modules/chart.js/dist/chart.umd.js')
  });
  const measure = kind =>
    page.evaluate(
      async ({ kind, n }) => {
        const host = document.getElementById('c');
        host.replaceChildren();
        const x = Float64Array.from({ length: n }, (_, i) => i);
        const ys = Array.from({ length: 5 }, (_, k) =>
          Float64Array.from(
            x,
            i => Math.exp(-i / (2e4 * (k + 1))) + 0.05 * Math.sin(i / 50 + k)
          )
        );
        const colors = ['#1976d2', '#f57c00', '#388e3c', '#d32f2f', '#7b1fa2'];
        const paint = () =>
          new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
        const t0 = performance.now();
        if (kind === 'uplot') {
          new uPlot(
            {
              width: 1000,
              height: 400,
              scales: { x: { time: false } },
              series: [
                {},
                ...ys.map((_, k) => ({
                  stroke: colors[k],
                  width: 1.5,
                  points: { show: false },
                  spanGaps: true
                }))
              ],
              legend: { show: false }
            },
            [x, ...ys],
            host
          );
        } else {
          const canvas = document.createElement('canvas');
          canvas.width = 1000;
          canvas.height = 400;
          host.appendChild(canvas);
          new Chart(canvas, {
            type: 'line',
            data: {
              datasets: ys.map((y, k) => ({
                data: Array.from(y, (v, i) => ({ x: i, y: v })),
                borderColor: colors[k],
                borderWidth: 1.5,
                pointRadius: 0
              }))
            },
            options: {
              animation: false,
              responsive: false,
              parsing: false,
              normalized: true,
              spanGaps: true,
              scales: { x: { type: 'linear' } },
              plugins: {
                decimation: { enabled: true, algorithm: 'min-max' },
                legend: { display: false }
              }
            }
          });
        }
        await paint();
        return performance.now() - t0;
      },
      { kind, n: 100000 }
    );
  const out = { uplot: [], chartjs: [] };
  for (let i = 0; i < reps + 1; i++) {
    for (const kind of ['uplot', 'chartjs']) {
      const ms = await measure(kind);
      if (i) out[kind].push(ms);
    }
  }
  await browser.close();
  return out;
}
