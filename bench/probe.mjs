// Loaded into the lake process by the benchmark only (`node --expose-gc --import ./bench/probe.mjs
// src/cli/launch.mjs lake`): answers the bench's IPC question "how much heap do you use after a full GC?".
// The lake itself knows nothing of it. Plain JavaScript, so the lake starts as `npm run lake` starts it.
if (typeof process.send === 'function') {
  process.on('message', (message) => {
    if (message !== 'memory') return
    const gc = globalThis.gc
    if (typeof gc === 'function') {
      gc()
      gc()
    }
    const m = process.memoryUsage()
    process.send?.({heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers, gc: typeof globalThis.gc === 'function'})
  })
  // The IPC channel must not keep a stopping lake alive.
  process.channel?.unref()
}
