// Timing, statistics and memory helpers for the benchmark.
import {performance} from 'node:perf_hooks'
import v8 from 'node:v8'
import vm from 'node:vm'

export async function time<T>(fn: () => Promise<T>): Promise<{ms: number; value: T}> {
  const start = performance.now()
  const value = await fn()
  return {ms: performance.now() - start, value}
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The `p`-th percentile (0–100), nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number
}

// `npm run bench` runs plain `tsx`, without --expose-gc; turn it on at run time instead.
v8.setFlagsFromString('--expose-gc')
const gcFunction: unknown = vm.runInNewContext('gc')

/** Forces a full garbage collection (twice, so that finalizers' garbage goes too), if possible. */
export function collectGarbage(): boolean {
  if (typeof gcFunction !== 'function') return false
  gcFunction()
  gcFunction()
  return true
}

export interface MemorySample {
  rssMB: number
  heapUsedMB: number
  externalMB: number
}

/**
 * Memory after pending callbacks have run and a full GC: a lake that was just closed is still
 * reachable from close callbacks that run on the next turn of the event loop.
 */
export async function settledMemory(): Promise<MemorySample> {
  await new Promise((resolve) => setTimeout(resolve, 20))
  collectGarbage()
  return memory()
}

export function memory(): MemorySample {
  const m = process.memoryUsage()
  const mb = (bytes: number): number => bytes / 1024 / 1024
  return {rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), externalMB: mb(m.external + m.arrayBuffers)}
}
