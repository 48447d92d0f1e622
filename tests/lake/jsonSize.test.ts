import {describe, expect, it} from 'vitest'
import {jsonByteLength, jsonFits} from '../../src/lake/http'

// The lake checks a query result's size against its limit before it builds the JSON (src/lake/http.ts).
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value))

describe('jsonByteLength', () => {
  const values: Array<[string, unknown]> = [
    ['ASCII', {_id: 'a', title: 'plain text', n: 12.5, ok: true, none: null}],
    ['Arabic', {headline: 'قال وزير الخارجية إن المفاوضات ستستمر', tags: ['سياسة', 'اقتصاد']}],
    ['escapes', {text: 'a "quoted" word\\ \n\t\u0001 and a lone \ud800 surrogate'}],
    ['undefined and functions left out', {a: undefined, b: () => 1, c: [undefined, 1]}],
    ['nested arrays', [[[]], {}, [1, [2, [3]]]]],
  ]
  for (const [name, value] of values) {
    it(`is the UTF-8 length of JSON.stringify: ${name}`, () => {
      // A lone surrogate counts 3 bytes in the measure and 6 in its escape: the test value with one is allowed that gap.
      const expected = bytes(value)
      const measured = jsonByteLength(value, 1_000_000)!
      expect(measured).toBeLessThanOrEqual(expected)
      expect(expected - measured).toBeLessThanOrEqual(name === 'escapes' ? 3 : 0)
    })
  }

  it('jsonFits: a result whose worst case passes the limit but whose size does not fits', () => {
    // 1,000 Arabic letters: 2,014 bytes as JSON, 6,000 at the worst case the first pass assumes.
    const value = {text: 'ع'.repeat(1000)}
    expect(jsonFits(value, bytes(value))).toBe(true)
    expect(jsonFits(value, bytes(value) - 1)).toBe(false)
    expect(jsonFits({text: 'plain'}, bytes({text: 'plain'}))).toBe(true)
  })

  it('gives undefined (and does not fit) past the limit, also for a value that shares one object many times', () => {
    expect(jsonByteLength({text: 'ع'.repeat(1000)}, 1_999)).toBeUndefined()
    const doc = {body: 'x'.repeat(1000)}
    const shared = Array.from({length: 100_000}, () => doc)
    expect(jsonByteLength(shared, 50_000_000)).toBeUndefined()
    expect(jsonFits(shared, 50_000_000)).toBe(false)
    expect(jsonByteLength(shared.slice(0, 10), 50_000_000)).toBe(bytes(shared.slice(0, 10)))
  })
})
