// Checks documents against the schema's rules outside the Studio. The shapes (required fields, allowed
// values, reference targets) come from schema.json, which `sanity schema extract --enforce-required-fields`
// writes from schemas/; the rules a shape cannot express come from ./rules, which the schema uses too.
import {checkLanguage, checkLinkHref, checkSlug, messages} from './rules'

export interface Problem {
  documentId: string
  path: string
  message: string
}

/** The JSON that `sanity schema extract` writes: a list of named type nodes. */
export type ExtractedSchema = ReadonlyArray<{name: string; type: 'document' | 'type'; value?: TypeNode; attributes?: Attributes}>

type Attributes = Record<string, {type: 'objectAttribute'; value: TypeNode; optional?: boolean}>
type TypeNode =
  | {type: 'object'; attributes: Attributes; rest?: TypeNode; dereferencesTo?: string}
  | {type: 'array'; of: TypeNode}
  | {type: 'union'; of: TypeNode[]}
  | {type: 'inline'; name: string}
  | {type: 'string'; value?: string}
  | {type: 'number' | 'boolean' | 'null' | 'unknown'}

export interface ValidatableDocument {
  _id: string
  _type: string
  [field: string]: unknown
}

// Fields whose generic "required" message is not the most useful thing to say.
const FIELD_MESSAGES: Record<string, string> = {
  'quote.speaker': messages.speaker,
  'quote.kind': messages.quoteKind,
}

/**
 * Validates documents; references must resolve to a document of an allowed type among
 * `documents` plus `existing` (id → type) when given, e.g. the rest of the dataset.
 */
export function validateDocuments(
  schema: ExtractedSchema,
  documents: readonly ValidatableDocument[],
  existing: ReadonlyMap<string, string> = new Map(),
): Problem[] {
  const named = new Map(schema.map((entry) => [entry.name, entry]))
  const typeOfId = new Map(existing)
  for (const doc of documents) typeOfId.set(doc._id, doc._type)
  const problems: Problem[] = []

  for (const doc of documents) {
    const report = (path: string, message: string): void => {
      problems.push({documentId: doc._id, path, message})
    }
    const definition = named.get(doc._type)
    if (!definition || definition.type !== 'document' || !definition.attributes) {
      report('_type', `Unknown document type "${doc._type}". Known types: ${documentTypes(schema).join(', ')}.`)
      continue
    }

    const resolve = (node: TypeNode): TypeNode => {
      let current = node
      while (current.type === 'inline') {
        const target = named.get(current.name)
        if (!target) throw new Error(`schema.json names type "${current.name}" but does not define it; run npm run typegen`)
        current = target.value ?? {type: 'object', attributes: target.attributes ?? {}}
      }
      return current
    }

    const walk = (value: unknown, node: TypeNode, path: string, fieldKey: string): void => {
      if (value === undefined || value === null) return
      const type = resolve(node)
      switch (type.type) {
        case 'union': {
          const members = type.of.map(resolve)
          const literals = members.filter((m): m is {type: 'string'; value: string} => m.type === 'string' && m.value !== undefined)
          if (literals.length === members.length && literals.length > 0) {
            if (!literals.some((m) => m.value === value)) {
              report(path, FIELD_MESSAGES[fieldKey] ?? `Must be one of: ${literals.map((m) => `"${m.value}"`).join(', ')}.`)
            }
            return
          }
          if (isReference(value) && members.every((m) => referenceTargets(m, resolve).length > 0)) {
            return checkReference(value as Record<string, unknown>, members.flatMap((m) => referenceTargets(m, resolve)), path)
          }
          const member = pickMember(members, value, resolve)
          if (member) walk(value, member, path, fieldKey)
          else report(path, `Has _type "${typeName(value)}", which is not allowed here.`)
          return
        }
        case 'array':
          if (!Array.isArray(value)) return report(path, 'Must be a list.')
          value.forEach((item, index) => walk(item, type.of, `${path}${segment(item, index)}`, fieldKey))
          return
        case 'object': {
          if (typeof value !== 'object' || Array.isArray(value)) return report(path, 'Must be an object.')
          const attributes = objectAttributes(type, resolve)
          const record = value as Record<string, unknown>
          for (const [name, attribute] of Object.entries(attributes)) {
            const child = record[name]
            const childPath = path ? `${path}.${name}` : name
            const childKey = path ? `${fieldKey}.${name}` : `${doc._type}.${name}`
            if (attribute.optional === false && isEmpty(child)) {
              report(childPath, FIELD_MESSAGES[childKey] ?? messages.required(label(name)))
              continue
            }
            walk(child, attribute.value, childPath, childKey)
          }
          if (isReference(record)) checkReference(record, referenceTargets(type, resolve), path)
          checkRule(record, path)
          return
        }
        default:
          return
      }
    }

    const checkReference = (ref: Record<string, unknown>, allowed: string[], path: string) => {
      const id = ref._ref
      if (typeof id !== 'string' || !id) return report(path, messages.required('Reference'))
      const found = typeOfId.get(id) ?? typeOfId.get(`drafts.${id}`)
      if (!found) {
        if (ref._weak !== true) report(path, messages.reference(id))
        return
      }
      if (allowed.length && !allowed.includes(found)) report(path, messages.referenceType(id, found, allowed))
    }

    // Rules that the shape cannot express, keyed by what the value is.
    const checkRule = (record: Record<string, unknown>, path: string) => {
      const check = (field: string, result: true | string) => {
        if (result !== true) report(path ? `${path}.${field}` : field, result)
      }
      if (record._type === 'slug') {
        const current = typeof record.current === 'string' ? record.current : undefined
        if (path) check('current', checkSlug(current))
      }
      if (record._type === 'link') check('href', checkLinkHref(typeof record.href === 'string' ? record.href : undefined))
      if (record === doc && typeof doc.language === 'string') check('language', checkLanguage(doc.language))
    }

    walk(doc, {type: 'object', attributes: definition.attributes}, '', doc._type)
  }
  return problems
}

/** One line per problem: document id, field path, message — tab-separated so it greps and cuts well. */
export function formatProblem(problem: Problem): string {
  return `${problem.documentId}\t${problem.path || '(document)'}\t${problem.message}`
}

function documentTypes(schema: ExtractedSchema): string[] {
  return schema.filter((entry) => entry.type === 'document' && !entry.name.startsWith('sanity.')).map((e) => e.name)
}

function objectAttributes(type: TypeNode & {type: 'object'}, resolve: (node: TypeNode) => TypeNode): Attributes {
  if (!type.rest) return type.attributes
  const rest = resolve(type.rest)
  return rest.type === 'object' ? {...objectAttributes(rest, resolve), ...type.attributes} : type.attributes
}

function referenceTargets(node: TypeNode, resolve: (node: TypeNode) => TypeNode): string[] {
  const type = resolve(node)
  if (type.type === 'union') return type.of.flatMap((member) => referenceTargets(member, resolve))
  if (type.type !== 'object') return []
  if (type.dereferencesTo) return [type.dereferencesTo]
  return type.rest ? referenceTargets(type.rest, resolve) : []
}

// Union members are told apart by their _type literal, as Sanity does for array members and annotations.
function pickMember(members: TypeNode[], value: unknown, resolve: (node: TypeNode) => TypeNode): TypeNode | undefined {
  if (members.length === 1) return members[0]
  const name = typeName(value)
  return members.find((member) => {
    if (member.type !== 'object') return false
    const literal = objectAttributes(member, resolve)._type?.value
    return literal?.type === 'string' && literal.value === name
  })
}

function typeName(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? (value as {_type?: string})._type : undefined
}

function isReference(value: unknown): value is {_ref: unknown} {
  return typeof value === 'object' && value !== null && '_ref' in value
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true
  if (Array.isArray(value)) return value.length === 0
  return false
}

function segment(item: unknown, index: number): string {
  const key = typeof item === 'object' && item !== null ? (item as {_key?: unknown})._key : undefined
  return typeof key === 'string' ? `[_key=="${key}"]` : `[${index}]`
}

function label(field: string): string {
  const words = field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
