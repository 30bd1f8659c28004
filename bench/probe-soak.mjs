// Long browser run of the latency probe (not a test): does memory stay bounded, and does the page
// stay responsive while the charts update?
//
// The app in headless Chromium probes the echo server every INTERVAL_MS (default 20: 50/s) for
// MINUTES (default 10). Every minute it prints the memory of the page and its worker
// (performance.measureUserAgentSpecificMemory, which the cross-origin isolated app may call), the
// samples the page holds, the main thread's long tasks (> 50 ms) since the last line, and the
// main thread's busy time per second (CDP Performance.getMetrics: TaskDuration).
//
//   MINUTES=10 INTERVAL_MS=20 node bench/probe-soak.mjs

import { launchBrowser, startEcho, startServer } from '../e2e/harness.mjs';

const MINUTES = Number(process.env.MINUTES ?? 10);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 20);

const echo = await startEcho();
const server = await startServer();
// Measure memory at once instead of at the next natural GC.
const browser = await launchBrowser(['--enable-blink-features=ForceEagerMeasureMemory']);
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  await page.goto(`${server.url}?${new URLSearchParams({ endpoint: echo.url, interval_ms: String(INTERVAL_MS) })}#/probe`);
  await page.locator('#nl-probe-env').waitFor();
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({
      type: 'longtask',
      buffered: true,
    });
  });
  await page.click('#nl-probe-start');
  console.log(`probing ${echo.url} every ${INTERVAL_MS} ms for ${MINUTES} min`);
  console.log('minute | probes sent | page+worker memory MB (of which worker) | long tasks (max ms) | main thread ms/s | median ms');
  let tasksBefore = await taskSeconds();
  const totals = { longTasks: 0, maxTask: 0, mainMs: 0 };
  for (let minute = 1; minute <= MINUTES; minute++) {
    await page.waitForTimeout(60_000);
    const tasksNow = await taskSeconds();
    const mainMsPerSecond = ((tasksNow - tasksBefore) * 1000) / 60;
    tasksBefore = tasksNow;
    const m = await page.evaluate(async () => {
      const memory = await performance.measureUserAgentSpecificMemory();
      const worker = memory.breakdown
        .filter((b) => b.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope'))
        .reduce((sum, b) => sum + b.bytes, 0);
      const tasks = window.longTasks.splice(0);
      return {
        bytes: memory.bytes,
        worker,
        tasks: tasks.length,
        maxTask: tasks.length ? Math.max(...tasks) : 0,
        sent: document.querySelectorAll('.nl-probe-counters dd')[6]?.textContent,
        median: document.querySelector('[data-stat="median"]')?.getAttribute('data-ms'),
      };
    });
    totals.longTasks += m.tasks;
    totals.maxTask = Math.max(totals.maxTask, m.maxTask);
    totals.mainMs += mainMsPerSecond * 60;
    console.log(
      `${String(minute).padStart(6)} | ${String(m.sent).padStart(11)} | ${(m.bytes / 1e6).toFixed(1).padStart(8)} (${(m.worker / 1e6).toFixed(1)}) |` +
        ` ${String(m.tasks).padStart(10)} (${m.maxTask.toFixed(0)}) | ${mainMsPerSecond.toFixed(1).padStart(16)} | ${Number(m.median).toFixed(3)}`,
    );
  }
  console.log(await page.locator('#nl-probe-status').textContent());
  // One worker report a second: the main thread's busy time per second is its cost per update.
  const perUpdate = totals.mainMs / (MINUTES * 60);
  console.log(
    `over ${MINUTES} min: main thread ${perUpdate.toFixed(2)} ms per update (one a second), ` +
      `${totals.longTasks} long tasks${totals.longTasks ? ` (longest ${totals.maxTask.toFixed(0)} ms)` : ''}`,
  );
  console.log(`goal no long task (> 50 ms) in the soak: ${totals.longTasks === 0 ? 'met' : 'NOT met'}`);
} finally {
  await browser.close();
  await server.stop();
  await echo.kill();
}
