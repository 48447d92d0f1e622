// Checks a query result against the type groq-js infers for that query from schema.json: the same
// inference `sanity typegen` writes into sanity.types.ts, so "matches" means "has the generated type".
import {readFileSync} from 'node:fs'
import {parse, typeEvaluate, type SchemaType, type TypeNode} from 'groq-js'

export function loadSchema(): SchemaType {
  return JSON.parse(readFileSync(new URL('../../schema.json', import.meta.url), 'utf8')) as SchemaType
}

/** Mismatches between value and the query's inferred result type; empty when it conforms. */
export function shapeMismatches(
  query: string,
  value: unknown,
  params: Record<string, unknown> = {},
  schema: SchemaType = loadSchema(),
): string[] {
  // Params go to the parser because GROQ slices ([0...$limit]) must be constant when parsed.
  const type = typeEvaluate(parse(query, {params}), schema)
  const mismatches: string[] = []
  check(value, type, '$', schema, mismatches)
  return mismatches
}

function check(value: unknown, type: TypeNode, path: string, schema: SchemaType, out: string[]): void {
  const fail = (expected: string): void => void out.push(`${path}: expected ${expected}, got ${JSON.stringify(value)?.slice(0, 80)}`)
  switch (type.type) {
    case 'unknown':
      return
    case 'null':
      return value === null || value === undefined ? undefined : fail('null')
    case 'string':
    case 'number':
    case 'boolean':
      if (typeof value !== type.type) return fail(type.type)
      if (type.value !== undefined && value !== type.value) return fail(JSON.stringify(type.value))
      return
    case 'array':
      if (!Array.isArray(value)) return fail('array')
      value.forEach((item, i) => check(item, type.of, `${path}[${i}]`, schema, out))
      return
    case 'union': {
      if (type.of.length === 0) return fail('never')
      const attempts = type.of.map((member) => {
        const sub: string[] = []
        check(value, member, path, schema, sub)
        return sub
      })
      const best = attempts.find((a) => a.length === 0) ?? attempts.sort((a, b) => a.length - b.length)[0]
      out.push(...(best ?? []))
      return
    }
    case 'inline': {
      const target = schema.find((entry) => entry.name === type.name)
      if (!target) return fail(`a type named ${type.name}`)
      const node: TypeNode = target.type === 'document' ? {type: 'object', attributes: target.attributes} : target.value
      return check(value, node, path, schema, out)
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('object')
      const record = value as Record<string, unknown>
      for (const [name, attribute] of Object.entries(type.attributes)) {
        const child = record[name]
        if (child === undefined || child === null) {
          if (!attribute.optional && !acceptsNull(attribute.value, schema)) out.push(`${path}.${name}: missing`)
          continue
        }
        check(child, attribute.value, `${path}.${name}`, schema, out)
      }
      if (type.rest) check(value, type.rest, path, schema, out)
      return
    }
    default:
      return
  }
}

function acceptsNull(type: TypeNode, schema: SchemaType): boolean {
  if (type.type === 'null' || type.type === 'unknown') return true
  if (type.type === 'union') return type.of.some((member) => acceptsNull(member, schema))
  return false
}
