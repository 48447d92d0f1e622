import {performance} from 'node:perf_hooks'
import {evaluate, evaluateSync, parse} from 'groq-js'

/**
 * A deadline for GROQ evaluations that also keeps the lake responsive while one runs.
 *
 * groq-js evaluates with promises: a long query is one unbroken chain of microtasks, and Node
 * answers no request, write or listener until the chain ends. Every loop of the evaluator (`*`,
 * filters, projections, `->`, `in`, subqueries, building the result) walks an array with
 * `for await` over groq-js's value objects, so wrapping their async iterators puts a hook in
 * every loop: every CHECK_EVERY elements the run reads the clock; past its time slice it waits
 * for a macrotask (setImmediate) so that other requests get their turn; once the run is over
 * (past its deadline, or answered) it never resumes, so its CPU is freed at once.
 *
 * A stopped run is parked, not thrown out of: groq-js runs some streams ahead of their readers,
 * and an error thrown there would reject a promise nobody awaits, which stops Node. Parked
 * branches are referenced by nothing and are garbage collected.
 *
 * Which run an iterator belongs to: a run's code only ever executes in the microtasks that follow
 * a macrotask this module scheduled for it (its start, each later turn); `current` names that run
 * until those microtasks are drained, and is null otherwise, so groq-js used directly (tests, the
 * benchmark's reference) is untouched. AsyncLocalStorage would do the same through promise hooks,
 * at a cost measured in docs/engine.md.
 */

/** Elements walked between two looks at the clock. */
const CHECK_EVERY = 32
/** CPU time a run takes before it lets other work in: roughly the longest another request waits. */
export const SLICE_MS = 5

export class QueryTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`GROQ evaluation stopped after ${timeoutMs} ms`)
    this.name = 'QueryTimeout'
  }
}

const NEVER: Promise<never> = new Promise<never>(() => {})

let current: Run | null = null

/** Makes `run` current for the microtasks that follow; a tick queued from a microtask runs once they are drained. */
function enter(run: Run): void {
  current = run
  queueMicrotask(() =>
    process.nextTick(() => {
      if (current === run) current = null
    }),
  )
}

/** Resolves in a macrotask of its own: its microtasks belong to no run. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      current = null
      resolve()
    }),
  )
}

class Run {
  readonly deadline: number
  countdown = CHECK_EVERY
  /** Answered or stopped: any branch still going parks at its next check. */
  over = false
  private sliceStart = performance.now()
  private next: Promise<void> | null = null
  private readonly timer: NodeJS.Timeout
  private fail!: (err: QueryTimeout) => void
  /** Rejects when the deadline passes. */
  readonly stopped = new Promise<never>((_, reject) => (this.fail = reject))

  constructor(readonly timeoutMs: number) {
    this.deadline = performance.now() + timeoutMs
    // Observed by withDeadline's race; this keeps a stop before the race starts from counting as unhandled.
    this.stopped.catch(() => {})
    // Usually a check sees the deadline first; the timer covers a run waiting for its turn.
    this.timer = setTimeout(() => this.stop(), timeoutMs)
  }

  stop(): void {
    if (this.over) return
    this.fail(new QueryTimeout(this.timeoutMs))
    this.end()
  }

  end(): void {
    this.over = true
    this.countdown = 1
    clearTimeout(this.timer)
  }

  /** Every CHECK_EVERY elements: park when over, pause when the slice is used up, else go on. */
  checkpoint(): Promise<void> | undefined {
    this.countdown = CHECK_EVERY
    if (this.over) return NEVER
    const now = performance.now()
    if (now >= this.deadline) {
      this.stop()
      return NEVER
    }
    return now - this.sliceStart < SLICE_MS ? undefined : this.turn()
  }

  /**
   * Resolves in a later macrotask, with this run current; never, if the run is over by then.
   * Branches that run side by side (groq-js evaluates operands and streams concurrently) share
   * one turn, so the run takes one slice per turn of the event loop, not one per branch.
   */
  turn(): Promise<void> {
    this.next ??= new Promise((resolve) => {
      setImmediate(() => {
        this.next = null
        if (this.over) return
        enter(this)
        this.sliceStart = performance.now()
        resolve()
      })
    })
    return this.next
  }
}

type Iter = {next(): unknown; return?(value?: unknown): unknown}

function guarded(inner: Iter, run: Run): AsyncIterator<unknown> {
  const iterator = {
    next(): unknown {
      if (--run.countdown > 0) return inner.next()
      const pause = run.checkpoint()
      return pause === undefined ? inner.next() : pause.then(() => inner.next())
    },
    return(value?: unknown): unknown {
      return inner.return ? inner.return(value) : {value, done: true}
    },
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  return iterator as unknown as AsyncIterator<unknown>
}

/** Wraps the async iterator of one of groq-js's value classes; outside a run it behaves as before. */
function patch(proto: object): void {
  const slot = proto as Record<symbol, unknown>
  const original = slot[Symbol.asyncIterator]
  if (typeof original !== 'function') {
    throw new Error('groq-js changed: its values have no async iterator to bound GROQ evaluations with (see src/lake/deadline.ts)')
  }
  Object.defineProperty(proto, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function (this: unknown) {
      const inner = (original as (this: unknown) => Iter).call(this)
      return current === null ? inner : guarded(inner, current)
    },
  })
}

let installed: Promise<void> | null = null

/** Patches groq-js's static and stream values, once (the stream class is only reachable from an async result). */
function install(): Promise<void> {
  installed ??= (async () => {
    patch(Object.getPrototypeOf(evaluateSync(parse('[]'))) as object)
    patch(Object.getPrototypeOf(await evaluate(parse('[]'))) as object)
  })()
  return installed
}

/**
 * Runs `work` (a groq-js evaluation, to its plain JS result) under a deadline of `timeoutMs`,
 * in slices that let other requests in. Rejects with QueryTimeout at the deadline; the
 * evaluation is stopped then, not left running. Every GROQ evaluation in the lake goes through
 * here: one started outside would run unsliced and unbounded.
 */
export async function withDeadline<T>(timeoutMs: number, work: () => Promise<T>): Promise<T> {
  await install()
  const run = new Run(timeoutMs)
  await run.turn()
  let result: {value: T} | {error: unknown}
  try {
    result = {value: await Promise.race([work(), run.stopped])}
  } catch (error) {
    result = {error}
  }
  run.end()
  // The caller goes on in a macrotask of its own: branches of this run still going in this one
  // must see the run (to park), code after it must not.
  await nextMacrotask()
  if ('error' in result) throw result.error
  return result.value
}
