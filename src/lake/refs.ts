import type {LakeDocument} from './store'

/**
 * Strong reference targets of a document: every `_ref` not marked `_weak` and not
 * pointing into another dataset (cross-dataset refs carry `_dataset`).
 */
export function strongRefs(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) strongRefs(item, into)
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    if (typeof obj._ref === 'string' && obj._weak !== true && obj._dataset === undefined) into.add(obj._ref)
    for (const key in obj) {
      const child = obj[key]
      if (child !== null && typeof child === 'object') strongRefs(child, into)
    }
  }
  return into
}

const NO_REFS: ReadonlySet<string> = new Set()

export interface Refs {
  all: ReadonlySet<string>
  strong: ReadonlySet<string>
}

/** Every `_ref` of a document (what the reference index holds) and the strong ones among them (what integrity checks), in one walk. */
export function collectRefs(doc: LakeDocument): Refs {
  let all: Set<string> | null = null
  let strong: Set<string> | null = null
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') walk(item)
      return
    }
    const obj = value as Record<string, unknown>
    if (typeof obj._ref === 'string') {
      ;(all ??= new Set()).add(obj._ref)
      if (obj._weak !== true && obj._dataset === undefined) (strong ??= new Set()).add(obj._ref)
    }
    for (const key in obj) {
      const child = obj[key]
      if (child !== null && typeof child === 'object') walk(child)
    }
  }
  walk(doc)
  return {all: all ?? NO_REFS, strong: strong ?? NO_REFS}
}
