// Compares documents an import would write with what the dataset already holds, so a re-run can
// report editors' changes instead of overwriting them.
import {isDeepStrictEqual} from 'node:util'

export interface DocumentLike {
  _id: string
  _type: string
}

export interface Reconciliation<D extends DocumentLike> {
  /** Not in the dataset: to be created. */
  missing: D[]
  /** In the dataset exactly as the import would write it. */
  unchanged: D[]
  /** In the dataset with other content, with the top-level fields that differ. */
  changed: Array<{document: D; fields: string[]}>
  /** Ids with an unpublished draft waiting in the dataset. */
  drafts: string[]
}

// Set by the server, so never a difference in content.
const SYSTEM_FIELDS = new Set(['_rev', '_createdAt', '_updatedAt'])

export function reconcile<D extends DocumentLike>(imported: readonly D[], existing: readonly DocumentLike[]): Reconciliation<D> {
  const byId = new Map(existing.map((doc) => [doc._id, doc]))
  const result: Reconciliation<D> = {missing: [], unchanged: [], changed: [], drafts: []}
  for (const doc of imported) {
    if (byId.has(`drafts.${doc._id}`)) result.drafts.push(doc._id)
    const current = byId.get(doc._id)
    if (!current) {
      result.missing.push(doc)
      continue
    }
    const fields = differingFields(doc, current)
    if (fields.length) result.changed.push({document: doc, fields})
    else result.unchanged.push(doc)
  }
  return result
}

export function differingFields(a: DocumentLike, b: DocumentLike): string[] {
  const left = a as unknown as Record<string, unknown>
  const right = b as unknown as Record<string, unknown>
  const names = new Set([...Object.keys(left), ...Object.keys(right)].filter((name) => !SYSTEM_FIELDS.has(name)))
  return [...names].filter((name) => !isDeepStrictEqual(left[name], right[name])).sort()
}
