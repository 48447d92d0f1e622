import {badRequest} from './errors'

/**
 * Deeper JSON than this is refused. Portable Text is about six levels deep; the lake's own code
 * (reference walks, the patch engine, GROQ, JSON.stringify) recurses, and nesting in the
 * thousands would overflow the stack and become a 500.
 */
export const MAX_JSON_DEPTH = 200

/**
 * One pass over the parsed value with its own stack (no recursion, so any depth is safe): is it
 * nested deeper than `maxDepth`, and does it hold a number that overflowed a double? Walking the
 * value costs per node, not per character, which matters for text-heavy documents.
 */
function scan(root: object, maxDepth: number): {tooDeep: boolean; overflow?: string} {
  const values: object[] = [root]
  const depths: number[] = [1]
  while (values.length > 0) {
    const value = values.pop()!
    const depth = depths.pop()!
    if (depth > maxDepth) return {tooDeep: true}
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key]
      if (typeof child === 'object' && child !== null) {
        values.push(child)
        depths.push(depth + 1)
      } else if (typeof child === 'number' && !Number.isFinite(child)) {
        return {tooDeep: false, overflow: pathTo(root, child) ?? ''}
      }
    }
  }
  return {tooDeep: false}
}

/** Where `target` (a non-finite number) sits in `value`, for the error message; only called on failure. */
function pathTo(value: unknown, target: number, path = '', depth = 0): string | undefined {
  if (typeof value === 'number') return Object.is(value, target) ? path : undefined
  // Deeper branches are refused anyway; not recursing into them keeps this off the stack limit.
  if (typeof value !== 'object' || value === null || depth > MAX_JSON_DEPTH) return undefined
  for (const key in value) {
    const found = pathTo((value as Record<string, unknown>)[key], target, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key, depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * JSON.parse for what clients send, refusing with a 400 what JSON.parse would accept but the
 * lake cannot keep: numbers beyond a double's range (1e400 would be Infinity in memory and
 * null on disk, so a restart would change the data) and nesting deeper than MAX_JSON_DEPTH.
 * `what` names the input in the message, e.g. "Request body".
 */
export function parseClientJson(text: string, what: string, maxDepth = MAX_JSON_DEPTH): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw badRequest(`${what} is not valid JSON: ${(err as Error).message}`)
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw badRequest(`${what} holds the number ${text.trim().slice(0, 40)}, which is outside the range of a JSON number (about ±1.8e308)`)
    return value
  }
  const {tooDeep, overflow} = scan(value, maxDepth)
  if (tooDeep) throw badRequest(`${what} is nested more than ${maxDepth} levels deep; the local lake refuses deeper JSON`)
  if (overflow !== undefined) {
    throw badRequest(`${what} holds a number at ${overflow.slice(0, 200) || 'its top level'} that is outside the range of a JSON number (about ±1.8e308)`)
  }
  return value
}
