// The caret under a GROQ parse error, for queries of one and several lines.
import {describe, expect, it} from 'vitest'
import {formatQueryParseError, queryParseErrorOf} from '../src/cli/groqError'

describe('formatQueryParseError', () => {
  it('puts the caret under the offset on a one-line query', () => {
    const query = '*[_type == ]'
    const text = formatQueryParseError({description: 'Expected expression', query, start: 11, end: 12})
    expect(text.split('\n')).toEqual(['GROQ parse error at line 1, column 12: Expected expression', query, '           ^'])
  })

  it('finds the line of the offset in a multi-line query and underlines up to the end of the error on that line', () => {
    const query = '*[\n  _type == "article" &&\n  foo(1)\n]'
    // "foo(1)" starts 2 characters into line 3 (offset 3 + 23 + 2) and is 6 long.
    const start = '*[\n  _type == "article" &&\n  '.length
    const lines = formatQueryParseError({description: 'Undefined function: foo', query, start, end: start + 6}).split('\n')
    expect(lines[0]).toBe('GROQ parse error at line 3, column 3: Undefined function: foo')
    expect(lines.slice(1)).toEqual(['*[', '  _type == "article" &&', '  foo(1)', '  ^^^^^^', ']'])
  })

  it('keeps tabs in the padding and counts an Arabic letter as one column', () => {
    const query = '\t*[name == "ليلى" &&]'
    const start = query.indexOf('&&') + 2
    const caret = formatQueryParseError({description: 'x', query, start}).split('\n')[2]
    expect(caret).toBe(`\t${' '.repeat('*[name == "ليلى" &&'.length)}^`)
  })

  it('reads the error @sanity/client throws, and nothing else', () => {
    const details = {type: 'queryParseError', description: 'd', query: 'q', start: 0, end: 1}
    expect(queryParseErrorOf({details})).toEqual({description: 'd', query: 'q', start: 0, end: 1})
    expect(queryParseErrorOf({details: {...details, type: 'queryExecutionError'}})).toBeUndefined()
    expect(queryParseErrorOf(new Error('plain'))).toBeUndefined()
  })
})
