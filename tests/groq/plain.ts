import {createRequire} from 'node:module'
import {Worker} from 'node:worker_threads'

/**
 * Plain groq-js, the reference, in a worker thread: untouched by the lake's code (its deadline
 * patches groq-js in the lake's process, never here), and stoppable: a test past the time limit
 * ("Filters / documents, nested 3" runs for many minutes) is ended by terminating the worker.
 */

export type PlainOutcome = {ok: true; result: unknown} | {ok: false; error: string}

// Plain JavaScript: a worker does not get the TypeScript loader of the thread that starts it.
const WORKER_SOURCE = `
const {parentPort, workerData} = require('node:worker_threads')
const {parse, evaluate} = require(workerData.groqJs)
let dataset = []
parentPort.on('message', async (m) => {
  if (m.type === 'dataset') {
    dataset = m.documents
    return
  }
  try {
    const tree = parse(m.query, {params: m.params})
    const value = await (await evaluate(tree, {dataset, params: m.params})).get()
    parentPort.postMessage({id: m.id, json: JSON.stringify(value === undefined ? null : value)})
  } catch (err) {
    parentPort.postMessage({id: m.id, error: String((err && err.message) || err)})
  }
})
`

export class PlainGroq {
  private worker: Worker | null = null
  private documents: unknown[] = []
  private nextId = 0
  private pending = new Map<number, (outcome: PlainOutcome) => void>()
  private readonly groqJs = createRequire(import.meta.url).resolve('groq-js')

  constructor(readonly timeoutMs: number) {}

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {eval: true, workerData: {groqJs: this.groqJs}})
    worker.on('message', (m: {id: number; json?: string; error?: string}) => {
      const done = this.pending.get(m.id)
      this.pending.delete(m.id)
      done?.(m.error === undefined ? {ok: true, result: JSON.parse(m.json ?? 'null')} : {ok: false, error: m.error})
    })
    worker.on('error', (err) => {
      for (const done of this.pending.values()) done({ok: false, error: `worker failed: ${err.message}`})
      this.pending.clear()
      this.worker = null
    })
    worker.postMessage({type: 'dataset', documents: this.documents})
    this.worker = worker
    return worker
  }

  useDataset(documents: unknown[]): void {
    this.documents = documents
    this.worker?.postMessage({type: 'dataset', documents})
  }

  run(query: string, params: Record<string, unknown>): Promise<PlainOutcome> {
    const worker = this.worker ?? this.start()
    const id = this.nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        // The evaluation cannot be interrupted inside the worker: the worker goes, a new one starts on the next test.
        if (this.worker === worker) this.worker = null
        void worker.terminate()
        resolve({ok: false, error: `plain groq-js did not finish within ${this.timeoutMs} ms`})
      }, this.timeoutMs)
      this.pending.set(id, (outcome) => {
        clearTimeout(timer)
        resolve(outcome)
      })
      worker.postMessage({type: 'test', id, query, params})
    })
  }

  async close(): Promise<void> {
    await this.worker?.terminate()
    this.worker = null
  }
}
