// Checks documents against the schema's rules outside the Studio. The shapes (required fields, allowed
// values, reference targets, JSON types) come from schema.json, which `sanity schema extract
// --enforce-required-fields` writes from schemas/; the rules a shape cannot express come from ./rules,
// which the schema uses too. Type and unknown-field messages start with the words `sanity documents
// validate` uses, then say what to write instead.
import {checkLanguage, checkLinkHref, checkSlug, messages} from './rules'

export interface Problem {
  documentId: string
  path: string
  message: string
}

/** The JSON that `sanity schema extract` writes: a list of named type nodes. */
export type ExtractedSchema = ReadonlyArray<{name: string; type: 'document' | 'type'; value?: TypeNode; attributes?: Attributes}>

type Attributes = Record<string, {type: 'objectAttribute'; value: TypeNode; optional?: boolean}>
type ObjectNode = {type: 'object'; attributes: Attributes; rest?: TypeNode; dereferencesTo?: string}
type TypeNode =
  | ObjectNode
  | {type: 'array'; of: TypeNode}
  | {type: 'union'; of: TypeNode[]}
  | {type: 'inline'; name: string}
  | {type: 'string'; value?: string}
  | {type: 'number' | 'boolean' | 'null' | 'unknown'}

type Resolve = (node: TypeNode) => TypeNode

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

// The ids the lake (and Sanity) gives uploaded assets, by the asset document type a reference points at.
const ASSET_ID_FORMS: Record<string, {form: RegExp; shape: string}> = {
  'sanity.imageAsset': {form: /^image-[A-Za-z0-9]+-\d+x\d+-[a-z0-9]+$/, shape: 'image-<hash>-<width>x<height>-<format>'},
  'sanity.fileAsset': {form: /^file-[A-Za-z0-9]+-[a-z0-9]+$/, shape: 'file-<hash>-<extension>'},
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

  const resolve: Resolve = (node) => {
    let current = node
    while (current.type === 'inline') {
      const target = named.get(current.name)
      if (!target) throw new Error(`schema.json names type "${current.name}" but does not define it; run npm run typegen`)
      current = target.value ?? {type: 'object', attributes: target.attributes ?? {}}
    }
    return current
  }

  for (const doc of documents) {
    const reported = new Set<string>()
    const report = (path: string, message: string): void => {
      reported.add(path)
      problems.push({documentId: doc._id, path, message})
    }
    const definition = named.get(doc._type)
    if (!definition || definition.type !== 'document' || !definition.attributes) {
      report('_type', `Unknown document type "${doc._type}". Known types: ${documentTypes(schema).join(', ')}.`)
      continue
    }

    const walk = (value: unknown, node: TypeNode, path: string, fieldKey: string): void => {
      if (value === undefined || value === null) return
      const type = resolve(node)
      switch (type.type) {
        case 'string':
          if (typeof value !== 'string') return report(path, wrongType('String', value, `set ${path} to text`))
          if (type.value !== undefined && value !== type.value) report(path, `Must be "${type.value}".`)
          return
        case 'number':
          if (typeof value !== 'number') return report(path, wrongType('Number', value, numberFix(value, path)))
          if (!Number.isFinite(value)) report(path, `Expected a finite number, got ${value}: set ${path} to a number.`)
          return
        case 'boolean':
          if (typeof value !== 'boolean') return report(path, wrongType('Boolean', value, booleanFix(value, path)))
          return
        case 'union':
          return walkUnion(value, type.of.map(resolve), path, fieldKey)
        case 'array':
          return walkArray(value, type.of, path, fieldKey)
        case 'object':
          return walkObject(value, type, path, fieldKey, node.type === 'inline' ? node.name : undefined)
        default:
          return
      }
    }

    const walkUnion = (value: unknown, members: TypeNode[], path: string, fieldKey: string): void => {
      const literals = members.filter((m): m is {type: 'string'; value: string} => m.type === 'string' && m.value !== undefined)
      if (literals.length === members.length && literals.length > 0) {
        const allowed = literals.map((m) => `"${m.value}"`).join(', ')
        if (typeof value !== 'string') return report(path, wrongType('String', value, `set ${path} to one of ${allowed}`))
        if (!literals.some((m) => m.value === value)) report(path, FIELD_MESSAGES[fieldKey] ?? `Must be one of: ${allowed}.`)
        return
      }
      if (members.length === 0) return report(path, `The schema allows no value here: remove ${path}.`)
      const targets = members.map((m) => referenceTargets(m, resolve))
      // A choice between references is one shape: only the referenced document's type differs.
      if (targets.every((t) => t.length > 0)) return walkObject(value, members[0] as ObjectNode, path, fieldKey, 'reference', targets.flat())
      if (!isRecord(value)) return report(path, wrongType('Object', value, `set ${path} to an object with a _type`))
      const member = pickMember(members, value, resolve)
      if (member) return walk(value, member, path, fieldKey)
      const allowed = [...new Set(members.map((m) => literalType(m, resolve)).filter((t) => t !== undefined))]
      const choices = allowed.map((t) => `"${t}"`).join(', ')
      if (typeName(value) === undefined) report(join(path, '_type'), `Missing _type: set ${join(path, '_type')} to one of ${choices}.`)
      else report(path, `Has _type "${typeName(value)}", which is not allowed here: use one of ${choices}.`)
    }

    const walkArray = (value: unknown, of: TypeNode, path: string, fieldKey: string): void => {
      if (!Array.isArray(value)) return report(path, wrongType('Array', value, `set ${path} to a list: [${preview(value)}]`))
      const item = resolve(of)
      const ofObjects = item.type === 'object' || item.type === 'union'
      const keys = new Set<string>()
      value.forEach((entry, index) => {
        const entryPath = `${path}${segment(entry, index)}`
        if (ofObjects && isRecord(entry)) {
          const key = entry._key
          // Sanity addresses list items by _key; without one (or with a repeat) the Studio cannot edit the item.
          if (typeof key !== 'string' || !key) report(entryPath, `List item has no _key: give ${entryPath} a _key, a short string unique within ${path}.`)
          else if (keys.has(key)) report(entryPath, `Duplicate _key "${key}" in ${path}: give each item its own _key.`)
          else keys.add(key)
        }
        walk(entry, of, entryPath, fieldKey)
      })
    }

    const walkObject = (value: unknown, type: ObjectNode, path: string, fieldKey: string, inlineName?: string, targets?: string[]): void => {
      const refTargets = targets ?? referenceTargets(type, resolve)
      const {attributes, open} = objectShape(type, resolve)
      const literal = attributes._type?.value.type === 'string' ? attributes._type.value.value : undefined
      if (!isRecord(value)) return report(path, wrongType('Object', value, `set ${path} to ${shapeExample(attributes, literal, refTargets)}`))
      const record = value
      const typeLabel = literal ?? inlineName ?? 'object'
      if (literal !== undefined && path) {
        if (record._type === undefined) report(join(path, '_type'), `Missing _type: set ${join(path, '_type')} to "${literal}".`)
        else if (record._type !== literal) {
          return report(path, `Has _type ${JSON.stringify(record._type)}, which is not allowed here: use "${literal}".`)
        }
      }
      for (const [name, attribute] of Object.entries(attributes)) {
        if (name === '_type' || name === '_key') continue
        const child = record[name]
        const childPath = join(path, name)
        const childKey = path ? `${fieldKey}.${name}` : `${doc._type}.${name}`
        if (attribute.optional === false && isEmpty(child)) {
          report(childPath, FIELD_MESSAGES[childKey] ?? messages.required(label(name)))
          continue
        }
        // _ref is checked with the reference below, against the dataset.
        if (name === '_ref' && refTargets.length) continue
        walk(child, attribute.value, childPath, childKey)
      }
      if (!open) {
        for (const name of Object.keys(record)) {
          // Like Sanity, fields starting with _ are system fields and not checked against the schema.
          if (name.startsWith('_') || name in attributes) continue
          report(join(path, name), `Field '${name}' does not exist on type '${typeLabel}': remove it, or add it to the schema in schemas/.`)
        }
      }
      if (refTargets.length || isReference(record)) checkReference(record, refTargets, path)
      checkRule(record, path, typeLabel)
    }

    const checkReference = (ref: Record<string, unknown>, allowed: string[], path: string) => {
      const id = ref._ref
      if (id !== undefined && typeof id !== 'string') return report(join(path, '_ref'), wrongType('String', id, `set ${join(path, '_ref')} to a document id`))
      if (typeof id !== 'string' || !id) return report(path, messages.required('Reference'))
      const asset = allowed.length === 1 ? ASSET_ID_FORMS[allowed[0]!] : undefined
      if (asset && !asset.form.test(id)) {
        return report(join(path, '_ref'), `Asset id "${id}" is not in the form ${asset.shape}: upload the file and use the id the upload returns.`)
      }
      const found = typeOfId.get(id) ?? typeOfId.get(`drafts.${id}`)
      if (!found) {
        if (ref._weak !== true) report(path, messages.reference(id))
        return
      }
      if (allowed.length && !allowed.includes(found)) report(path, messages.referenceType(id, found, allowed))
    }

    // Rules that the shape cannot express, keyed by what the value is.
    const checkRule = (record: Record<string, unknown>, path: string, typeLabel: string) => {
      const check = (field: string, result: true | string) => {
        const at = join(path, field)
        // One message per path: a missing value is already reported as required.
        if (result !== true && !reported.has(at)) report(at, result)
      }
      if (typeLabel === 'slug' && path && (record.current === undefined || typeof record.current === 'string')) {
        check('current', checkSlug(record.current as string | undefined))
      }
      if (typeLabel === 'link' && (record.href === undefined || typeof record.href === 'string')) {
        check('href', checkLinkHref(record.href as string | undefined))
      }
      if (record === doc && typeof doc.language === 'string') check('language', checkLanguage(doc.language))
    }

    walkObject(doc, {type: 'object', attributes: definition.attributes}, '', doc._type, doc._type)
  }
  return problems
}

/** One line per problem: document id, field path, message — tab-separated so it greps and cuts well. */
export function formatProblem(problem: Problem): string {
  return `${problem.documentId}\t${problem.path || '(document)'}\t${problem.message}`
}

// Sanity's words (`Expected type "String", got "Object"`), then the value found and what to do.
function wrongType(expected: string, value: unknown, fix: string): string {
  return `Expected type "${expected}", got "${jsonType(value)}" ${preview(value)}: ${fix}.`
}

function numberFix(value: unknown, path: string): string {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return `write ${value.trim()} without quotes`
  return `set ${path} to a number`
}

function booleanFix(value: unknown, path: string): string {
  if (value === 'true' || value === 'false') return `write ${value} without quotes`
  return `set ${path} to true or false`
}

/** The JSON type in Sanity's spelling (its typeString: "String", "Number", "Boolean", "Array", "Object"). */
function jsonType(value: unknown): string {
  return Object.prototype.toString.call(value).slice(8, -1)
}

const PREVIEW_LENGTH = 60

/** The value as JSON, shortened by whole characters so Arabic text is never cut inside a character. */
function preview(value: unknown): string {
  const text = Array.from(JSON.stringify(value) ?? String(value))
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH).join('')}…` : text.join('')
}

/** What an object of this shape looks like, for a message: its _type, then its required fields. */
function shapeExample(attributes: Attributes, literal: string | undefined, targets: string[]): string {
  if (targets.length) return `a reference: {"_type": "reference", "_ref": "<${targets.join(' or ')} id>"}`
  const required = Object.entries(attributes).filter(([, a]) => a.optional === false).map(([name]) => `"${name}": …`)
  const fields = [...(literal ? [`"_type": "${literal}"`] : []), ...required]
  if (fields.length) return `an object: {${fields.join(', ')}}`
  const names = Object.keys(attributes).filter((name) => !name.startsWith('_'))
  return names.length ? `an object with the fields ${names.join(', ')}` : 'an object'
}

function documentTypes(schema: ExtractedSchema): string[] {
  return schema.filter((entry) => entry.type === 'document' && !entry.name.startsWith('sanity.')).map((e) => e.name)
}

function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field
}

/** The object's fields with those it inherits through `rest`; open when `rest` is not an object (any field allowed). */
function objectShape(type: ObjectNode, resolve: Resolve): {attributes: Attributes; open: boolean} {
  if (!type.rest) return {attributes: type.attributes, open: false}
  const rest = resolve(type.rest)
  if (rest.type !== 'object') return {attributes: type.attributes, open: true}
  const inherited = objectShape(rest, resolve)
  return {attributes: {...inherited.attributes, ...type.attributes}, open: inherited.open}
}

function referenceTargets(node: TypeNode, resolve: Resolve): string[] {
  const type = resolve(node)
  if (type.type === 'union') return type.of.flatMap((member) => referenceTargets(member, resolve))
  if (type.type !== 'object') return []
  if (type.dereferencesTo) return [type.dereferencesTo]
  return type.rest ? referenceTargets(type.rest, resolve) : []
}

function literalType(node: TypeNode, resolve: Resolve): string | undefined {
  if (node.type !== 'object') return undefined
  const literal = objectShape(node, resolve).attributes._type?.value
  return literal?.type === 'string' ? literal.value : undefined
}

// Union members are told apart by their _type literal, as Sanity does for array members and annotations.
function pickMember(members: TypeNode[], value: unknown, resolve: Resolve): TypeNode | undefined {
  if (members.length === 1) return members[0]
  const name = typeName(value)
  return members.find((member) => name !== undefined && literalType(member, resolve) === name)
}

function typeName(value: unknown): string | undefined {
  return isRecord(value) && typeof value._type === 'string' ? value._type : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
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
  const key = isRecord(item) ? item._key : undefined
  return typeof key === 'string' && key ? `[_key=="${key}"]` : `[${index}]`
}

function label(field: string): string {
  const words = field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
