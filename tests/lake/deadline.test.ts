import {performance} from 'node:perf_hooks'
import {evaluate, parse} from 'groq-js'
import {describe, expect, it} from 'vitest'
import {QueryTimeout, withDeadline} from '../../src/lake/deadline'

/**
 * The deadline under GROQ evaluations (src/lake/deadline.ts), in process with real groq-js:
 * runaways stop and free the CPU, other evaluations go on beside them, and groq-js used
 * directly is not affected by runs around it.
 */

const DOCS = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({_id: id, _type: id === 'f' ? 'other' : 'test'}))

/** "Filters / documents, nested 3" of the conformance suite at any depth: 6^(depth+1) steps. */
function nested(depth: number): string {
  let filter = '_id >= "c" && _type == "test"'
  for (let i = 0; i < depth; i++) filter = `_id in *[${filter}][]._id`
  return `*[${filter}] | order(_id)[]._id`
}

async function plain(query: string, dataset: unknown[] = DOCS): Promise<unknown> {
  return (await evaluate(parse(query), {dataset})).get()
}

function bounded(query: string, timeoutMs: number, dataset: unknown[] = DOCS): Promise<unknown> {
  return withDeadline(timeoutMs, () => plain(query, dataset))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('withDeadline', () => {
  it('answers as groq-js does', async () => {
    expect(await bounded(nested(2), 5000)).toEqual(['c', 'd', 'e'])
    expect(await bounded('count(*[_type == "test"])', 5000)).toBe(5)
  })

  it('stops a runaway at its deadline and leaves no CPU behind', async () => {
    const started = performance.now()
    const err = await bounded(nested(10), 400).catch((e: unknown) => e)
    const took = performance.now() - started
    expect(err).toBeInstanceOf(QueryTimeout)
    expect(took).toBeGreaterThanOrEqual(395)
    expect(took).toBeLessThan(400 + 600)
    const cpu = process.cpuUsage()
    await sleep(400)
    const used = process.cpuUsage(cpu)
    // Still running, it would take the whole 400 ms.
    expect((used.user + used.system) / 1000).toBeLessThan(150)
  })

  it('lets other evaluations and timers run beside a runaway', async () => {
    const runaway = bounded(nested(10), 1500).catch((e: unknown) => e)
    await sleep(50)
    const latencies: number[] = []
    let timerLag = 0
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now()
      expect(await bounded('*[_id == "c"][0]._id', 1000)).toBe('c')
      latencies.push(performance.now() - t0)
      const t1 = performance.now()
      await sleep(5)
      timerLag = Math.max(timerLag, performance.now() - t1 - 5)
    }
    latencies.sort((a, b) => a - b)
    console.log(`beside a runaway: point evaluation p50 ${latencies[10].toFixed(1)} ms, max ${latencies[19].toFixed(1)} ms; timer lag max ${timerLag.toFixed(1)} ms`)
    expect(latencies[19]).toBeLessThan(250)
    expect(timerLag).toBeLessThan(250)
    expect(await runaway).toBeInstanceOf(QueryTimeout)
  })

  it('leaves groq-js used directly alone, right after a run and while one waits for its turn', async () => {
    // Right after a run, in the caller's own continuation.
    expect(await bounded(nested(1), 1000)).toEqual(['c', 'd', 'e'])
    expect(await plain(nested(1))).toEqual(['c', 'd', 'e'])
    // From a timer while a runaway is between its slices, and after the runaway was stopped.
    const runaway = bounded(nested(10), 300).catch((e: unknown) => e)
    const beside = await new Promise<unknown>((resolve) => setTimeout(() => resolve(plain(nested(2))), 50))
    expect(beside).toEqual(['c', 'd', 'e'])
    expect(await runaway).toBeInstanceOf(QueryTimeout)
    // A direct evaluation longer than a slice: were it taken for the stopped run, it would never finish.
    const docs = Array.from({length: 600}, (_, i) => ({_id: `d${i}`, _type: 't'}))
    expect(await plain('count(*[count(*[_id == ^._id]) == 1])', docs)).toBe(600)
  })

  it('keeps runs started together apart: one timing out stops only itself', async () => {
    // Listeners start their matches in one microtask turn after a commit, so runs start side by side.
    const runs = Array.from({length: 30}, (_, i) =>
      i === 7 ? bounded(nested(10), 100).catch((e: unknown) => e) : bounded(`*[_id == "${DOCS[i % 6]._id}"][0]._id`, 5000),
    )
    const results = await Promise.all(runs)
    results.forEach((result, i) => {
      if (i === 7) expect(result).toBeInstanceOf(QueryTimeout)
      else expect(result).toBe(DOCS[i % 6]._id)
    })
  })
})
