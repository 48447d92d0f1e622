import {lazyPackage} from './lazy'
import {apiError, badRequest, mutationError, type LakeError} from './errors'
import {idProblem, isDraftOrVersionId, randomId, randomKey} from './ids'
import {evaluateQuery, parseQuery} from './query'
import type {StateReader} from './pending'
import {strongRefs, type LakeDocument} from './store'

const mutator = lazyPackage<typeof import('@sanity/mutator')>('@sanity/mutator')

export type Operation = 'create' | 'update' | 'delete' | 'none'

export interface MutationResult {
  id: string
  operation: Operation
}

/** What one transaction does to one document. */
export interface DocChange {
  id: string
  before: LakeDocument | null
  after: LakeDocument | null
  /** The mutations that touched this document, with query selections resolved to its id. */
  mutations: Record<string, unknown>[]
}

export interface Plan {
  transactionId: string
  timestamp: string
  identity: string
  changes: DocChange[]
  results: MutationResult[]
}

export interface PlanOptions {
  transactionId?: string
  autoGenerateArrayKeys?: boolean
  identity: string
  projectId: string
  datasetName: string
}

const MUTATION_TYPES = ['create', 'createOrReplace', 'createIfNotExists', 'delete', 'patch'] as const
type MutationType = (typeof MUTATION_TYPES)[number]
const PATCH_OPERATIONS = new Set(['set', 'setIfMissing', 'unset', 'insert', 'inc', 'dec', 'diffMatchPatch'])
const PATCH_SELECTORS = new Set(['id', 'query', 'params', 'ifRevisionID'])
const SYSTEM_FIELDS = ['_id', '_type', '_rev', '_createdAt', '_updatedAt'] as const

export type Json = Record<string, unknown>

export function isPlainObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Adds `_key` to objects in arrays that lack one, copying only what changes (stored docs are shared). */
export function withArrayKeys<T>(value: T): T {
  if (Array.isArray(value)) {
    let changed = false
    const out = value.map((item) => {
      let next = withArrayKeys(item)
      if (isPlainObject(next) && typeof next._key !== 'string') next = {_key: randomKey(), ...next}
      if (next !== item) changed = true
      return next
    })
    return (changed ? out : value) as T
  }
  if (isPlainObject(value)) {
    let out: Json | null = null
    for (const key in value) {
      const next = withArrayKeys(value[key])
      if (next !== value[key]) {
        out ??= {...value}
        out[key] = next
      }
    }
    return (out ?? value) as T
  }
  return value
}

/** Puts system fields first, in a stable order, with the server's values. */
function finalize(doc: Json, system: {_rev: string; _createdAt: string; _updatedAt: string}): LakeDocument {
  const rest: Json = {}
  for (const key in doc) if (!(SYSTEM_FIELDS as readonly string[]).includes(key)) rest[key] = doc[key]
  return {_id: doc._id as string, _type: doc._type as string, ...system, ...rest}
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))
}

/** A transaction id as given (query string or body), validated; a random one when none is given. */
export function resolveTransactionId(given: unknown): string {
  const transactionId = typeof given === 'string' && given !== '' ? given : randomId()
  if (transactionId.length > 128 || !/^[a-zA-Z0-9._-]+$/.test(transactionId)) {
    throw badRequest('transactionId may only contain a-zA-Z0-9._- and be at most 128 characters')
  }
  return transactionId
}

/**
 * Computes the effect of a transaction against the current state without changing it.
 * Any failing mutation throws, so a transaction is applied whole or not at all.
 */
export async function planTransaction(store: StateReader, body: unknown, options: PlanOptions): Promise<Plan> {
  if (!isPlainObject(body) || !Array.isArray(body.mutations)) {
    throw badRequest('Request body must be a JSON object {"mutations": [...]}')
  }
  const mutations = body.mutations as unknown[]
  // An empty list is a transaction that changes nothing (hosted Sanity answers it; @sanity/migrate's run() sends one first).
  const builder = new TransactionBuilder(store, {...options, transactionId: resolveTransactionId(options.transactionId ?? body.transactionId)})
  for (let index = 0; index < mutations.length; index++) await builder.apply(index, mutations[index])
  return builder.finish()
}

/**
 * Stages mutations one by one against the current state plus what earlier mutations of the
 * same transaction did. The Actions API builds on it, so that both endpoints share one set of
 * mutation semantics, integrity checks and (through Dataset.commit) one durable log.
 */
export class TransactionBuilder {
  readonly transactionId: string
  readonly timestamp = new Date().toISOString()
  private readonly staged = new Map<string, LakeDocument | null>()
  private readonly changes = new Map<string, DocChange>()
  private readonly lastIndex = new Map<string, number>()
  private readonly results: MutationResult[] = []

  constructor(
    private readonly store: StateReader,
    private readonly options: PlanOptions & {transactionId: string},
  ) {
    this.transactionId = options.transactionId
  }

  /** The document as it stands after the mutations staged so far (null: absent). */
  current(id: string): LakeDocument | null {
    return this.staged.has(id) ? (this.staged.get(id) ?? null) : (this.store.get(id) ?? null)
  }

  private stage(index: number, id: string, after: LakeDocument | null, mutation: Json): void {
    let change = this.changes.get(id)
    if (!change) {
      change = {id, before: this.store.get(id) ?? null, after: null, mutations: []}
      this.changes.set(id, change)
    }
    change.mutations.push(mutation)
    this.staged.set(id, after)
    this.lastIndex.set(id, index)
  }

  private fail(index: number, status: number, type: string, description: string, id?: string): LakeError {
    return mutationError({index, status, type, description, id})
  }

  private stagedDataset(): readonly LakeDocument[] {
    if (this.staged.size === 0) return this.store.all()
    const out = this.store.all().filter((d) => !this.staged.has(d._id))
    for (const doc of this.staged.values()) if (doc) out.push(doc)
    return out
  }

  private async selectIds(index: number, selection: Json): Promise<string[]> {
    if (typeof selection.id === 'string') return [selection.id]
    if (Array.isArray(selection.id) && selection.id.every((v) => typeof v === 'string')) return selection.id as string[]
    if (typeof selection.query === 'string') {
      const params = selection.params ?? {}
      if (!isPlainObject(params)) throw this.fail(index, 400, 'invalidMutationError', '"params" must be an object')
      const tree = parseQuery(selection.query, params)
      const result = await evaluateQuery(tree, {
        dataset: this.stagedDataset(),
        params,
        identity: this.options.identity,
        projectId: this.options.projectId,
        datasetName: this.options.datasetName,
      })
      const items = Array.isArray(result) ? result : result === null ? [] : [result]
      return items.flatMap((item) => (isPlainObject(item) && typeof item._id === 'string' ? [item._id] : typeof item === 'string' ? [item] : []))
    }
    throw this.fail(index, 400, 'invalidMutationError', 'A delete or patch needs "id" (a document id) or "query" (GROQ)')
  }

  private checkId(index: number, id: unknown): string {
    const problem = idProblem(id)
    if (problem) throw this.fail(index, 400, 'invalidDocumentIdError', `Malformed document ID: ${JSON.stringify(id)}: ${problem}`)
    return id as string
  }

  private newDocument(index: number, type: MutationType, input: unknown, idRequired: boolean): Json {
    if (!isPlainObject(input)) throw this.fail(index, 400, 'invalidMutationError', `"${type}" needs a document object`)
    let id = input._id
    if (id === undefined || id === '') {
      if (idRequired) throw this.fail(index, 400, 'invalidMutationError', `"${type}" needs a document with an _id`)
      id = randomId()
    } else if (typeof id === 'string' && id.endsWith('.')) {
      id = id + randomId() // Sanity: an _id ending in "." is a prefix for a generated id
    }
    this.checkId(index, id)
    if (typeof input._type !== 'string' || input._type === '') {
      throw this.fail(index, 400, 'invalidMutationError', `Document ${JSON.stringify(id)} is missing a string "_type"`, id as string)
    }
    if (input._createdAt !== undefined && !isDateTime(input._createdAt)) {
      throw this.fail(
        index,
        400,
        'invalidMutationError',
        `Document ${JSON.stringify(id)} has an invalid _createdAt ${JSON.stringify(input._createdAt)}: give an ISO 8601 date-time such as "2024-05-01T12:00:00Z", or leave it out`,
        id as string,
      )
    }
    const doc: Json = {...input, _id: id}
    return this.options.autoGenerateArrayKeys ? withArrayKeys(doc) : doc
  }

  /** A `_createdAt` the client gives is kept (as hosted Sanity keeps it, so imports keep their dates); else the existing one, else now. */
  private created(doc: Json, before: LakeDocument | null): LakeDocument {
    const createdAt = typeof doc._createdAt === 'string' ? doc._createdAt : (before?._createdAt ?? this.timestamp)
    return finalize(doc, {_rev: this.transactionId, _createdAt: createdAt, _updatedAt: this.timestamp})
  }

  /** Stages one mutation (`{create: …}`, `{patch: …}`, …); `index` names it in errors. */
  async apply(index: number, mutation: unknown): Promise<void> {
    if (!isPlainObject(mutation)) throw this.fail(index, 400, 'invalidMutationError', `Mutation #${index} is not an object`)
    const keys = Object.keys(mutation)
    const type = keys[0] as MutationType
    if (keys.length !== 1 || !(MUTATION_TYPES as readonly string[]).includes(type)) {
      throw this.fail(
        index,
        400,
        'invalidMutationError',
        `Unknown mutation type ${JSON.stringify(keys.join(','))} in mutation #${index}: expected exactly one of ${MUTATION_TYPES.join(', ')}`,
      )
    }
    const arg = mutation[type]
    const results = this.results

    if (type === 'create' || type === 'createOrReplace' || type === 'createIfNotExists') {
      const doc = this.newDocument(index, type, arg, type !== 'create')
      const id = doc._id as string
      const existing = this.current(id)
      if (existing && type === 'create') {
        throw this.fail(index, 409, 'documentAlreadyExistsError', `Document by ID "${id}" already exists`, id)
      }
      if (existing && type === 'createIfNotExists') {
        results.push({id, operation: 'none'})
        return
      }
      this.stage(index, id, this.created(doc, existing), {[type]: doc})
      results.push({id, operation: existing ? 'update' : 'create'})
      return
    }

    if (!isPlainObject(arg)) throw this.fail(index, 400, 'invalidMutationError', `"${type}" needs an object`)

    if (type === 'delete') {
      for (const id of await this.selectIds(index, arg)) {
        this.checkId(index, id)
        const existing = this.current(id)
        if (!existing) {
          results.push({id, operation: 'none'})
          continue
        }
        this.stage(index, id, null, {delete: {id}})
        results.push({id, operation: 'delete'})
      }
      return
    }

    // patch
    const ops: Json = {}
    for (const key of Object.keys(arg)) {
      if (PATCH_SELECTORS.has(key)) continue
      if (!PATCH_OPERATIONS.has(key)) {
        throw this.fail(index, 400, 'invalidPatchError', `Unknown patch operation "${key}": expected ${[...PATCH_OPERATIONS].join(', ')}`)
      }
      ops[key] = arg[key]
    }
    const byId = arg.query === undefined
    for (const id of await this.selectIds(index, arg)) {
      this.checkId(index, id)
      const existing = this.current(id)
      if (!existing) {
        if (byId) throw this.fail(index, 404, 'documentNotFoundError', `Document "${id}" not found`, id)
        continue
      }
      if (arg.ifRevisionID !== undefined && arg.ifRevisionID !== existing._rev) {
        throw this.fail(
          index,
          409,
          'conflictError',
          `Document "${id}" has unexpected revision ID ("${existing._rev}"), expected "${String(arg.ifRevisionID)}"`,
          id,
        )
      }
      for (const op of ['inc', 'dec'] as const) if (ops[op] !== undefined) this.checkArithmetic(index, id, op, ops[op], existing)
      let patched: Json
      try {
        patched = new (mutator().Mutation)({mutations: [{patch: {...ops, id}}]}).apply(existing) as Json
      } catch (err) {
        throw this.fail(index, 400, 'invalidPatchError', `Cannot apply patch to document "${id}": ${(err as Error).message}`, id)
      }
      if (!isPlainObject(patched) || patched._id !== id) {
        throw this.fail(index, 400, 'invalidPatchError', `A patch cannot change or remove the _id of "${id}"`, id)
      }
      if (typeof patched._type !== 'string' || patched._type === '') {
        throw this.fail(index, 400, 'invalidPatchError', `A patch cannot remove the _type of "${id}"`, id)
      }
      if (this.options.autoGenerateArrayKeys) patched = withArrayKeys(patched)
      this.stage(index, id, finalize(patched, {_rev: this.transactionId, _createdAt: existing._createdAt, _updatedAt: this.timestamp}), {
        patch: {...ops, id, ...(arg.ifRevisionID !== undefined ? {ifRevisionID: arg.ifRevisionID} : {})},
      })
      results.push({id, operation: 'update'})
    }
  }

  /**
   * `inc`/`dec` take numbers and apply to numbers. The patch engine would otherwise concatenate
   * strings ("1" + 1 = "11") or skip a non-number target without a word.
   */
  private checkArithmetic(index: number, id: string, op: 'inc' | 'dec', arg: unknown, doc: LakeDocument): void {
    if (!isPlainObject(arg)) throw this.fail(index, 400, 'invalidPatchError', `"${op}" takes an object of {path: number}`, id)
    for (const [path, amount] of Object.entries(arg)) {
      if (typeof amount !== 'number' || !Number.isFinite(amount)) {
        throw this.fail(index, 400, 'invalidPatchError', `"${op}" of "${path}" must be a number, got ${JSON.stringify(amount)}`, id)
      }
      for (const {path: at, value} of mutator().extractWithPath(path, doc)) {
        if (typeof value !== 'number') {
          const where = at.map((p) => (typeof p === 'object' && p !== null ? JSON.stringify(p) : String(p))).join('.')
          throw this.fail(index, 400, 'invalidPatchError', `Cannot ${op} "${where}" of "${id}": it holds ${value === null ? 'null' : typeof value}, not a number`, id)
        }
      }
    }
  }

  /** Checks referential integrity on the final state, as Sanity does, and returns the plan. */
  finish(): Plan {
    const {changes, staged, store} = this
    // Who, among the documents this transaction writes, will strongly reference each target:
    // built once, so checking N deletes costs O(N) and not O(N²).
    let stagedReferrers: Map<string, string[]> | undefined
    const stagedReferrersOf = (target: string): string[] => {
      if (!stagedReferrers) {
        stagedReferrers = new Map()
        for (const other of changes.values()) {
          const after = staged.get(other.id)
          if (!after || isDraftOrVersionId(other.id)) continue
          for (const ref of strongRefs(after)) {
            const list = stagedReferrers.get(ref)
            if (list) list.push(other.id)
            else stagedReferrers.set(ref, [other.id])
          }
        }
      }
      return stagedReferrers.get(target) ?? []
    }
    for (const change of changes.values()) {
      change.after = staged.get(change.id) ?? null
      const index = this.lastIndex.get(change.id) ?? 0
      if (change.after && !isDraftOrVersionId(change.id)) {
        for (const target of strongRefs(change.after)) {
          if (!this.current(target)) {
            throw this.fail(
              index,
              409,
              'documentReferenceIntegrityError',
              `Document "${change.id}" references non-existent document "${target}" (make the reference weak with _weak: true, or create "${target}" first)`,
              change.id,
            )
          }
        }
      }
      if (change.before && !change.after) {
        const referrers = new Set(store.referrersOf(change.id).filter((r) => !changes.has(r)))
        for (const other of stagedReferrersOf(change.id)) referrers.add(other)
        if (referrers.size > 0) {
          const list = [...referrers].sort().slice(0, 10).map((r) => `"${r}"`).join(', ')
          throw this.fail(
            index,
            409,
            'documentHasExistingReferencesError',
            `Document "${change.id}" cannot be deleted as there are references to it from ${list}`,
            change.id,
          )
        }
      }
    }
    return {
      transactionId: this.transactionId,
      timestamp: this.timestamp,
      identity: this.options.identity,
      changes: [...changes.values()].filter((c) => c.before !== null || c.after !== null),
      results: this.results,
    }
  }
}

export function validateVisibility(value: string | null): void {
  if (value !== null && value !== 'sync' && value !== 'async' && value !== 'deferred') {
    throw apiError(400, 'httpBadRequest', `Invalid visibility "${value}": expected sync, async or deferred`)
  }
}
