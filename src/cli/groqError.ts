// A GROQ parse error for a terminal: the message, then the query line by line as it was given,
// with a caret line under the part the error names. The lake and the hosted API answer
// `{error: {type: 'queryParseError', description, query, start, end}}`; @sanity/client keeps
// that body on the error as `details`.

export interface QueryParseError {
  description: string
  query: string
  start: number
  end?: number
}

export function queryParseErrorOf(error: unknown): QueryParseError | undefined {
  const details = (error as {details?: unknown} | null)?.details as Record<string, unknown> | undefined
  if (!details || details.type !== 'queryParseError') return undefined
  const {description, query, start, end} = details
  if (typeof query !== 'string' || typeof start !== 'number') return undefined
  return {description: typeof description === 'string' ? description : 'parse error', query, start, ...(typeof end === 'number' ? {end} : {})}
}

const NEWLINE = /\r\n|\n|\r/g

export function formatQueryParseError({description, query, start, end}: QueryParseError): string {
  const lines: Array<{text: string; from: number}> = []
  let from = 0
  for (const match of query.matchAll(NEWLINE)) {
    lines.push({text: query.slice(from, match.index), from})
    from = match.index + match[0].length
  }
  lines.push({text: query.slice(from), from})
  const at = Math.min(Math.max(start, 0), query.length)
  const lineIndex = lines.findLastIndex((line) => line.from <= at)
  const line = lines[lineIndex]!
  const column = Math.min(at - line.from, line.text.length)
  // Tabs stay tabs so the caret lines up however wide the terminal draws them.
  const pad = [...line.text.slice(0, column)].map((ch) => (ch === '\t' ? '\t' : ' ')).join('')
  const stop = Math.min(end ?? at + 1, line.from + line.text.length)
  const width = Math.max(1, [...query.slice(at, stop)].length)
  const caret = `${pad}${'^'.repeat(width)}`
  const out = [`GROQ parse error at line ${lineIndex + 1}, column ${column + 1}: ${description}`]
  lines.forEach(({text}, index) => {
    out.push(text)
    if (index === lineIndex) out.push(caret)
  })
  return out.join('\n')
}
