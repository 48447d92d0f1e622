import {badRequest, LakeError, mutationError} from './errors'
import {draftIdOf, idProblem, isDraftId, isVersionId, publishedIdOf} from './ids'
import {isPlainObject, resolveTransactionId, TransactionBuilder, type Json, type Plan, type PlanOptions} from './mutations'
import type {StateReader} from './pending'
import type {LakeDocument} from './store'

/**
 * The Actions API (`POST data/actions/:dataset`), which is how Studio 5 writes: every action
 * is translated into plain mutations on a TransactionBuilder, so actions get exactly the
 * mutation semantics, integrity checks and durable log of `data/mutate`, and the whole
 * `actions` array is one atomic transaction.
 */

export const ACTION_TYPES = [
  'sanity.action.document.create',
  'sanity.action.document.version.create',
  'sanity.action.document.edit',
  'sanity.action.document.publish',
  'sanity.action.document.unpublish',
  'sanity.action.document.discard',
  'sanity.action.document.version.discard',
  'sanity.action.document.version.replace',
  'sanity.action.document.replaceDraft',
  'sanity.action.document.delete',
] as const
type ActionType = (typeof ACTION_TYPES)[number]

/** Turns the builder's "Mutation(s) failed" errors into the Actions API's wording; same index, status and item. */
function asActionError(err: unknown): unknown {
  if (!(err instanceof LakeError)) return err
  const inner = err.body.error
  if (!isPlainObject(inner) || inner.type !== 'mutationError') return err
  return new LakeError(err.status, {error: {...inner, type: 'actionError', description: 'Action(s) failed with 1 error(s)'}}, err.message)
}

/**
 * Resolves `{actionType: "sanity.action.document.publish", …}` etc. into mutations. Reads the
 * state through `tx.current()`, so an action sees what earlier actions of the request did.
 */
class ActionPlanner {
  constructor(private readonly tx: TransactionBuilder) {}

  private fail(index: number, status: number, type: string, description: string, id?: string): LakeError {
    return mutationError({index, status, type, description, id}, 'Action')
  }

  private stringField(index: number, action: Json, field: string, required: boolean): string | undefined {
    const value = action[field]
    if (value === undefined || value === null) {
      if (required) throw this.fail(index, 400, 'invalidActionError', `${String(action.actionType)} needs "${field}"`)
      return undefined
    }
    if (typeof value !== 'string' || value === '') {
      throw this.fail(index, 400, 'invalidActionError', `"${field}" of ${String(action.actionType)} must be a non-empty string`)
    }
    return value
  }

  /** The published id, checked to be a plain id (no drafts./versions. prefix). */
  private publishedId(index: number, action: Json): string {
    const id = this.stringField(index, action, 'publishedId', true) as string
    const problem = idProblem(id)
    if (problem) throw this.fail(index, 400, 'invalidDocumentIdError', `Malformed publishedId ${JSON.stringify(id)}: ${problem}`, id)
    if (isDraftId(id) || isVersionId(id)) {
      throw this.fail(index, 400, 'invalidDocumentIdError', `publishedId "${id}" must not be a draft or version id`, id)
    }
    return id
  }

  /** A draft or version id that belongs to `publishedId` (Sanity's rule for every document action). */
  private checkDraftId(index: number, id: string, field: string, publishedId: string | undefined): string {
    const problem = idProblem(id)
    if (problem) throw this.fail(index, 400, 'invalidDocumentIdError', `Malformed ${field} ${JSON.stringify(id)}: ${problem}`, id)
    if (!isDraftId(id) && !isVersionId(id)) {
      throw this.fail(index, 400, 'invalidDocumentIdError', `${field} "${id}" must start with "drafts." or "versions.<release>."`, id)
    }
    if (publishedId !== undefined && publishedIdOf(id) !== publishedId) {
      throw this.fail(index, 400, 'invalidDocumentIdError', `${field} "${id}" is not a draft or version of publishedId "${publishedId}"`, id)
    }
    return id
  }

  private draftIdOf(index: number, action: Json, field: string, publishedId: string | undefined, fallback?: string): string {
    const id = this.stringField(index, action, field, fallback === undefined) ?? (fallback as string)
    return this.checkDraftId(index, id, field, publishedId)
  }

  /** Where `attributes` goes: its own `_id` (a draft or version of publishedId), else the draft. */
  private targetOf(index: number, attributes: Json, publishedId: string): string {
    const given = attributes._id
    if (given === undefined || given === '') return draftIdOf(publishedId)
    if (typeof given !== 'string') throw this.fail(index, 400, 'invalidDocumentIdError', 'attributes._id must be a string')
    return this.checkDraftId(index, given, 'attributes._id', publishedId)
  }

  private attributes(index: number, action: Json): Json {
    if (!isPlainObject(action.attributes)) throw this.fail(index, 400, 'invalidActionError', `${String(action.actionType)} needs "attributes" (the document)`)
    return action.attributes
  }

  /**
   * `version.create` as @sanity/client's createVersion() sends it: `document` (the version, its
   * `_id` a draft or version id of publishedId), or `baseId` + `versionId`: a copy of the base
   * document, which `ifBaseRevisionId` pins to the revision the caller saw.
   */
  private async createVersion(index: number, action: Json): Promise<void> {
    const tx = this.tx
    const type = 'sanity.action.document.version.create'
    const publishedId = this.publishedId(index, action)
    let targetId: string
    let content: Json
    if (action.document !== undefined) {
      if (!isPlainObject(action.document)) throw this.fail(index, 400, 'invalidActionError', `"document" of ${type} must be an object (the version)`)
      targetId = this.targetOf(index, action.document, publishedId)
      content = action.document
    } else if (action.baseId !== undefined || action.versionId !== undefined) {
      const baseId = this.stringField(index, action, 'baseId', true) as string
      const problem = idProblem(baseId)
      if (problem) throw this.fail(index, 400, 'invalidDocumentIdError', `Malformed baseId ${JSON.stringify(baseId)}: ${problem}`, baseId)
      targetId = this.draftIdOf(index, action, 'versionId', publishedId)
      const base = tx.current(baseId)
      if (!base) throw this.fail(index, 404, 'documentNotFoundError', `Cannot create version "${targetId}" from "${baseId}": the base document does not exist`, baseId)
      const ifBase = this.stringField(index, action, 'ifBaseRevisionId', false)
      if (ifBase !== undefined && ifBase !== base._rev) {
        throw this.fail(index, 409, 'conflictError', `Base document "${baseId}" has revision "${base._rev}", expected "${ifBase}" (ifBaseRevisionId)`, baseId)
      }
      content = withoutSystemFields(base)
    } else {
      throw this.fail(index, 400, 'invalidActionError', `${type} needs "document" (the version), or "baseId" and "versionId"`)
    }
    if (tx.current(targetId)) {
      if (action.ifExists === 'ignore') return
      throw this.fail(index, 409, 'documentAlreadyExistsError', `Document by ID "${targetId}" already exists`, targetId)
    }
    await tx.apply(index, {create: {...content, _id: targetId}})
  }

  async apply(index: number, action: unknown): Promise<void> {
    if (!isPlainObject(action)) throw this.fail(index, 400, 'invalidActionError', `Action #${index} is not an object`)
    const type = action.actionType
    if (typeof type === 'string' && type.startsWith('sanity.action.release.')) {
      throw this.fail(
        index,
        400,
        'invalidActionError',
        `${type} is not supported: the local lake does not implement content releases (sanity.action.release.*); ` +
          'write release versions directly as documents with ids versions.<release>.<id> (client.createVersion), and query them with a perspective such as ["<release>", "drafts"]',
      )
    }
    if (typeof type !== 'string' || !(ACTION_TYPES as readonly string[]).includes(type)) {
      throw this.fail(
        index,
        400,
        'invalidActionError',
        `Unsupported actionType ${JSON.stringify(type)} in action #${index}; this local lake supports ${ACTION_TYPES.join(', ')}`,
      )
    }
    const tx = this.tx
    switch (type as ActionType) {
      case 'sanity.action.document.create':
      case 'sanity.action.document.version.create': {
        // createVersion()'s form (`document`, or `baseId` + `versionId`); the older one, with `attributes`, is a create.
        if (type === 'sanity.action.document.version.create' && action.attributes === undefined) return this.createVersion(index, action)
        const publishedId = this.publishedId(index, action)
        const attributes = this.attributes(index, action)
        const targetId = this.targetOf(index, attributes, publishedId)
        if (tx.current(targetId)) {
          if (action.ifExists === 'ignore') return
          throw this.fail(index, 409, 'documentAlreadyExistsError', `Document by ID "${targetId}" already exists`, targetId)
        }
        await tx.apply(index, {create: {...attributes, _id: targetId}})
        return
      }

      case 'sanity.action.document.edit': {
        const publishedId = this.publishedId(index, action)
        const draftId = this.draftIdOf(index, action, 'draftId', publishedId)
        if (!isPlainObject(action.patch)) throw this.fail(index, 400, 'invalidActionError', 'sanity.action.document.edit needs "patch" (patch operations)')
        const {id: _ignoredId, ...patch} = action.patch
        const draft = tx.current(draftId)
        if (!draft) {
          const published = isDraftId(draftId) ? tx.current(publishedId) : null
          if (!published) {
            throw this.fail(
              index,
              404,
              'documentNotFoundError',
              `Cannot edit "${draftId}": neither it nor the published document "${publishedId}" exists (create it first)`,
              draftId,
            )
          }
          // Editing a published document starts its draft from the published content.
          await tx.apply(index, {create: {...withoutSystemFields(published), _id: draftId}})
        }
        await tx.apply(index, {patch: {...patch, id: draftId}})
        return
      }

      case 'sanity.action.document.publish': {
        const publishedId = this.publishedId(index, action)
        const draftId = this.draftIdOf(index, action, 'draftId', publishedId)
        const draft = tx.current(draftId)
        if (!draft) throw this.fail(index, 409, 'documentNotFoundError', `Cannot publish "${publishedId}": there is no draft "${draftId}"`, draftId)
        const ifDraft = this.stringField(index, action, 'ifDraftRevisionId', false)
        if (ifDraft !== undefined && ifDraft !== draft._rev) {
          throw this.fail(index, 409, 'conflictError', `Draft "${draftId}" has revision "${draft._rev}", expected "${ifDraft}" (ifDraftRevisionId)`, draftId)
        }
        const published = tx.current(publishedId)
        const ifPublished = this.stringField(index, action, 'ifPublishedRevisionId', false)
        if (ifPublished !== undefined && ifPublished !== published?._rev) {
          throw this.fail(
            index,
            409,
            'conflictError',
            published
              ? `Published document "${publishedId}" has revision "${published._rev}", expected "${ifPublished}" (ifPublishedRevisionId): it changed since the editor loaded it`
              : `Published document "${publishedId}" does not exist, expected revision "${ifPublished}" (ifPublishedRevisionId)`,
            publishedId,
          )
        }
        const content = strengthenOnPublish(withoutSystemFields(draft)) as Json
        await tx.apply(index, {delete: {id: draftId}})
        await tx.apply(index, {createOrReplace: {...content, _id: publishedId}})
        return
      }

      case 'sanity.action.document.unpublish': {
        const publishedId = this.publishedId(index, action)
        const draftId = this.draftIdOf(index, action, 'draftId', publishedId, draftIdOf(publishedId))
        const published = tx.current(publishedId)
        if (!published) throw this.fail(index, 409, 'documentNotFoundError', `Cannot unpublish "${publishedId}": it is not published`, publishedId)
        // The content stays available as the draft (an existing draft wins).
        await tx.apply(index, {createIfNotExists: {...withoutSystemFields(published), _id: draftId}})
        await tx.apply(index, {delete: {id: publishedId}})
        return
      }

      case 'sanity.action.document.discard':
      case 'sanity.action.document.version.discard': {
        const field = type === 'sanity.action.document.discard' ? 'draftId' : 'versionId'
        const draftId = this.draftIdOf(index, action, field, undefined)
        if (!tx.current(draftId)) throw this.fail(index, 409, 'documentNotFoundError', `Cannot discard "${draftId}": it does not exist`, draftId)
        await tx.apply(index, {delete: {id: draftId}})
        return
      }

      case 'sanity.action.document.version.replace': {
        if (!isPlainObject(action.document)) throw this.fail(index, 400, 'invalidActionError', 'sanity.action.document.version.replace needs "document" (the version, with its _id)')
        const id = this.checkDraftId(index, String(action.document._id ?? ''), 'document._id', undefined)
        if (!tx.current(id)) throw this.fail(index, 409, 'documentNotFoundError', `Cannot replace version "${id}": it does not exist (create it with sanity.action.document.version.create)`, id)
        await tx.apply(index, {createOrReplace: {...withoutSystemFields(action.document as LakeDocument), _id: id}})
        return
      }

      case 'sanity.action.document.replaceDraft': {
        const publishedId = this.publishedId(index, action)
        const attributes = this.attributes(index, action)
        const draftId = this.targetOf(index, attributes, publishedId)
        await tx.apply(index, {createOrReplace: {...attributes, _id: draftId}})
        return
      }

      case 'sanity.action.document.delete': {
        const publishedId = this.publishedId(index, action)
        const includeDrafts = action.includeDrafts ?? []
        if (!Array.isArray(includeDrafts) || !includeDrafts.every((d) => typeof d === 'string')) {
          throw this.fail(index, 400, 'invalidActionError', '"includeDrafts" must be an array of draft/version ids')
        }
        const drafts = (includeDrafts as string[]).map((id) => this.checkDraftId(index, id, 'includeDrafts', publishedId))
        const draftId = draftIdOf(publishedId)
        if (!tx.current(publishedId)) {
          throw this.fail(index, 409, 'documentNotFoundError', `Cannot delete "${publishedId}": it is not published (discard its draft instead)`, publishedId)
        }
        if (tx.current(draftId) && !drafts.includes(draftId)) {
          throw this.fail(index, 409, 'conflictError', `Cannot delete "${publishedId}" while its draft "${draftId}" exists: list it in includeDrafts`, draftId)
        }
        for (const id of drafts) await tx.apply(index, {delete: {id}})
        await tx.apply(index, {delete: {id: publishedId}})
        return
      }
    }
  }
}

function withoutSystemFields(doc: LakeDocument): Json {
  const {_rev: _r, _createdAt: _c, _updatedAt: _u, ...rest} = doc
  return rest
}

/**
 * While a draft references a document that is itself only a draft, the Studio stores the
 * reference weak with `_strengthenOnPublish`; publishing makes it strong (unless the schema
 * asked for weak), as the hosted API does.
 */
export function strengthenOnPublish(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strengthenOnPublish)
  if (!isPlainObject(value)) return value
  if (isPlainObject(value._strengthenOnPublish) && typeof value._ref === 'string') {
    const {_strengthenOnPublish: how, _weak: _w, ...rest} = value
    return {...rest, ...((how as Json).weak === true ? {_weak: true} : {})}
  }
  const out: Json = {}
  for (const key in value) out[key] = strengthenOnPublish(value[key])
  return out
}

/**
 * Plans a whole `{actions, transactionId?}` request against the current state without
 * changing it; the caller commits the plan (inside Dataset.exclusive).
 */
export async function planActions(store: StateReader, body: unknown, options: PlanOptions): Promise<Plan> {
  if (!isPlainObject(body) || !Array.isArray(body.actions)) {
    throw badRequest('Request body must be a JSON object {"actions": [...], "transactionId"?: "..."}')
  }
  const actions = body.actions as unknown[]
  if (actions.length === 0) throw badRequest('"actions" is empty: give at least one action')
  const tx = new TransactionBuilder(store, {...options, transactionId: resolveTransactionId(options.transactionId ?? body.transactionId)})
  const planner = new ActionPlanner(tx)
  try {
    for (let index = 0; index < actions.length; index++) await planner.apply(index, actions[index])
    return tx.finish()
  } catch (err) {
    throw asActionError(err)
  }
}
