import {badRequest} from './errors'

/**
 * Deeper JSON than this is refused. Portable Text is about six levels deep; the lake's own code
 * (reference walks, the patch engine, GROQ, JSON.stringify) recurses, and nesting in the
 * thousands would overflow the stack and become a 500.
 */
export const MAX_JSON_DEPTH = 200

/**
 * One pass over the text, outside strings: the deepest nesting, and every number token that
 * could overflow a double (long, or with an exponent). Linear, and it does not recurse.
 */
function scan(text: string, maxDepth: number): {tooDeep: boolean; overflow?: string} {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return {tooDeep: true}
    } else if (c === 0x7d || c === 0x5d) depth--
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1
      let exponent = false
      for (; end < text.length; end++) {
        const d = text.charCodeAt(end)
        if (d === 0x65 || d === 0x45) exponent = true
        else if (!(d === 0x2e || d === 0x2b || d === 0x2d || (d >= 0x30 && d <= 0x39))) break
      }
      const token = text.slice(i, end)
      if ((exponent || token.length > 300) && !Number.isFinite(Number(token))) return {tooDeep: false, overflow: token}
      i = end - 1
    }
  }
  return {tooDeep: false}
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
  const {tooDeep, overflow} = scan(text, maxDepth)
  if (tooDeep) throw badRequest(`${what} is nested more than ${maxDepth} levels deep; the local lake refuses deeper JSON`)
  if (overflow !== undefined) {
    throw badRequest(`${what} holds the number ${overflow.slice(0, 40)}, which is outside the range of a JSON number (about ±1.8e308)`)
  }
  return value
}
