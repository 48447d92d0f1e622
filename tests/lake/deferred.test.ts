// Deferred documents (src/lake/deferred.ts, the split lines of wal.ts, the store's lazy fill), in
// process: these are pure functions over bytes plus the in-memory store, so every case here is
// exact and does not depend on when a lake's background filler runs. The end-to-end side (real
// lake processes, restarts, old formats, damage) is tests/hostile/deferred-startup.test.ts.
//
// Expected values are the inputs' own JSON.stringify (what the lake wrote before the split existed)
// and checksums from node:zlib, never what the code under test computes.
import {crc32} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {fill, readHead, splitBytes, splitDocument} from '../../src/lake/deferred'
import {DocumentStore, type LakeDocument} from '../../src/lake/store'
import {decodeRecord, recordContent, SUM_PREFIX, type TransactionRecord} from '../../src/lake/wal'

const TAB = '\t'

/** splitDocument and recordContent give their JSON in parts (or, formerly, whole): joined. */
const joined = (parts: string | ReadonlyArray<string | Buffer>): string =>
  typeof parts === 'string' ? parts : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString('utf8')
const split = (doc: LakeDocument): string => joined(splitDocument(doc))

/** A line as the old code framed it: `<crc32 hex8> <json>\n`. */
function framed(json: string): Buffer {
  const bytes = Buffer.from(json, 'utf8')
  return Buffer.concat([Buffer.from(`${crc32(bytes).toString(16).padStart(8, '0')} `, 'latin1'), bytes, Buffer.from('\n')])
}

const SYS = {_rev: 'rev-1', _createdAt: '2024-05-01T12:00:00Z', _updatedAt: '2024-05-02T08:30:00.123Z'}

/** Documents with their expected leading system keys (null: written whole). */
const CASES: Array<{name: string; doc: LakeDocument; shellKeys: string[] | null}> = [
  {
    name: 'an Arabic article with nested arrays, objects, references and odd numbers',
    doc: {
      _id: 'article-1',
      _type: 'article',
      ...SYS,
      headline: 'عنوان «مهم» — اختبار: الدولة الإسلامية في العراق والشام',
      slug: {_type: 'slug', current: 'عنوان-مهم'},
      body: [
        {_type: 'block', _key: 'a1', children: [{_type: 'span', _key: 's', text: 'نصّ عربي\tمع تبويب\nوسطر جديد و"اقتباس" و\\ شرطة'}]},
        {_type: 'quoteRef', _key: 'a2', quote: {_type: 'reference', _ref: 'quote-9'}},
      ],
      author: {_type: 'reference', _ref: 'person-1'},
      related: [{_type: 'reference', _ref: 'article-2', _weak: true, _key: 'k'}],
      elsewhere: {_type: 'crossDatasetReference', _ref: 'far-1', _dataset: 'archive'},
      nums: [0, -0, 1e21, 5e-324, 1.7976931348623157e308, -1.5, 12345678901234567890, 0.1],
      nested: {a: {b: {c: [[], {}, null, true, false, ['x', ['y']]]}}},
      '': 'an empty key',
      'مفتاح': 'an Arabic key',
      emoji: '😀 \u2028 \u2029',
      lone: '\ud800 x',
      tricky: '"}\t[{"_id":"fake"}]\t{',
    } as LakeDocument,
    shellKeys: ['_id', '_type', '_rev', '_createdAt', '_updatedAt'],
  },
  {name: 'a document with only system fields', doc: {_id: 'only-sys', _type: 't', ...SYS}, shellKeys: ['_id', '_type', '_rev', '_createdAt', '_updatedAt']},
  {name: 'a document with _id and _type only', doc: {_id: 'bare', _type: 't'} as LakeDocument, shellKeys: ['_id', '_type']},
  {
    name: 'system keys in an unusual order (still leading)',
    doc: {_id: 'order', _type: 't', _updatedAt: SYS._updatedAt, _rev: 'r', title: 'x'} as unknown as LakeDocument,
    shellKeys: ['_id', '_type', '_updatedAt', '_rev'],
  },
  {name: '_type before _id', doc: {_type: 't', _id: 'type-first', ...SYS, title: 'x'} as LakeDocument, shellKeys: null},
  {name: 'a system key after a field', doc: {_id: 'late-sys', _type: 't', title: 'x', ...SYS} as LakeDocument, shellKeys: null},
  {
    name: 'an own __proto__ field (from JSON.parse)',
    doc: JSON.parse('{"_id":"proto","_type":"t","_rev":"r","__proto__":{"polluted":true},"x":1}') as LakeDocument,
    shellKeys: null,
  },
  {
    name: 'an own __proto__ field nested in a field (split: only the top level is assigned)',
    doc: JSON.parse('{"_id":"proto-nested","_type":"t","_rev":"r","meta":{"__proto__":{"polluted":true},"y":2}}') as LakeDocument,
    shellKeys: ['_id', '_type', '_rev'],
  },
  {
    // Integer-like keys come first in a JS object's key order, so such a document never leads with _id.
    name: 'an integer-like field name',
    doc: JSON.parse('{"_id":"int-key","_type":"t","_rev":"r","7":"seven","title":"x"}') as LakeDocument,
    shellKeys: null,
  },
  {name: 'a system field that is not a string', doc: {_id: 'num-rev', _type: 't', _rev: 5, title: 'x'} as unknown as LakeDocument, shellKeys: null},
  {name: 'an Arabic first field name', doc: {_id: 'ar-key', _type: 't', _rev: 'r', 'عنوان': 'x', b: 1} as unknown as LakeDocument, shellKeys: null},
  {name: 'a first field name with a quote', doc: {_id: 'q-key', _type: 't', _rev: 'r', 'a"b': 'x'} as unknown as LakeDocument, shellKeys: null},
  {
    // The shell's end is found by the first field's name: the same text inside a value must not fool it.
    name: 'a system value that holds the first field name as text',
    doc: {_id: 'fool,"title":', _type: ',"title":"x"', _rev: '\\",\\"title\\":', title: ',"title":', z: 1} as unknown as LakeDocument,
    shellKeys: ['_id', '_type', '_rev'],
  },
]

describe('splitDocument / readHead / fill: round trip', () => {
  for (const {name, doc, shellKeys} of CASES) {
    it(`${name}: ${shellKeys ? 'split' : 'whole'}, and back to the same JSON, key order included`, () => {
      const expected = JSON.stringify(doc)
      const line = split(doc)
      const buf = Buffer.from(line, 'utf8')
      if (!shellKeys) {
        expect(line).toBe(expected)
        expect(readHead(buf, 0, buf.length)).toBeNull()
        return
      }
      // One raw tab: JSON escapes every tab inside strings.
      expect(line.split(TAB)).toHaveLength(2)
      const read = readHead(buf, 0, buf.length)
      expect(read).not.toBeNull()
      const {head, bodyAt} = read!
      expect(Object.keys(head.shell)).toEqual(shellKeys)
      expect(JSON.parse(buf.toString('utf8', bodyAt))).toEqual(JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(doc).filter(([k]) => !shellKeys.includes(k))))))
      // The bytes as written (what compaction and history.ts copy without parsing).
      expect(splitBytes({buf, start: 0, bodyAt, end: buf.length}).toString('utf8')).toBe(line)
      // Filled in place: the same object, now the whole document.
      const shell = head.shell
      fill({doc: shell, buf, start: 0, bodyAt, end: buf.length})
      expect(JSON.stringify(shell)).toBe(expected)
      expect(Object.keys(shell)).toEqual(Object.keys(doc))
    })
  }

  it('keeps a nested own __proto__ as data, and pollutes nothing', () => {
    const doc = CASES.find((c) => c.doc._id === 'proto-nested')!.doc
    const buf = Buffer.from(split(doc))
    const {head, bodyAt} = readHead(buf, 0, buf.length)!
    fill({doc: head.shell, buf, start: 0, bodyAt, end: buf.length})
    const meta = head.shell.meta as Record<string, unknown>
    expect(Object.hasOwn(meta, '__proto__')).toBe(true)
    expect(meta.__proto__).toEqual({polluted: true})
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('puts the slug and the references in the head: strong ones apart from weak and cross-dataset ones', () => {
    const doc = CASES[0]!.doc
    const buf = Buffer.from(split(doc))
    const {head} = readHead(buf, 0, buf.length)!
    expect(head.slug).toBe('عنوان-مهم')
    expect([...head.strong].sort()).toEqual(['person-1', 'quote-9'])
    expect([...head.other].sort()).toEqual(['article-2', 'far-1'])
    // Nothing beyond the system fields is in the shell.
    expect(head.shell.headline).toBeUndefined()
    const plain = readHead(Buffer.from(split({_id: 'x', _type: 't', slug: 'not-an-object'} as unknown as LakeDocument)), 0, Infinity)!
    expect(plain.head.slug).toBeUndefined()
  })
})

describe('readHead refuses malformed heads with what is wrong', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['a head that is not four items', `["x"]${TAB}{}`, /is not \[shell, slug, strong, other\]/],
    ['a head without its tab', '[{"_id":"a","_type":"t"},null,[],[]]', /without its tab/],
    ['a rest that is not an object', `[{"_id":"a","_type":"t"},null,[],[]]${TAB}[1]`, /rest is not an object/],
    ['a shell without _id', `[{"_type":"t"},null,[],[]]${TAB}{}`, /no _id and _type/],
    ['a shell that is null', `[null,null,[],[]]${TAB}{}`, /no _id and _type/],
    ['a slug that is a number', `[{"_id":"a","_type":"t"},5,[],[]]${TAB}{}`, /malformed head/],
    ['references that are not strings', `[{"_id":"a","_type":"t"},null,[1],[]]${TAB}{}`, /malformed head/],
    ['a head that is not JSON', `[{"_id":"a"${TAB}{}`, /JSON|Unexpected|Expected/],
  ]
  for (const [name, line, message] of bad) {
    it(name, () => {
      const buf = Buffer.from(line)
      expect(() => readHead(buf, 0, buf.length)).toThrow(message)
    })
  }

  it('a tab past the end of the document is not its tab', () => {
    const buf = Buffer.from(`[{"_id":"a","_type":"t"},null,[],[]]${TAB}{}`)
    expect(() => readHead(buf, 0, buf.indexOf(TAB))).toThrow(/without its tab/)
  })
})

describe('log lines of format 2 and 1', () => {
  const article = CASES[0]!.doc
  const whole = CASES.find((c) => c.doc._id === 'late-sys')!.doc
  const record = (): TransactionRecord => ({
    seq: 7,
    transactionId: 'tx-7',
    timestamp: '2024-05-01T12:00:00Z',
    identity: 'someone',
    effects: [
      {id: article._id, doc: article},
      {id: 'gone', doc: null},
      {id: whole._id, doc: whole},
      {id: 'only-sys', doc: CASES[1]!.doc},
    ],
  })

  it('a format-2 line reads back: heads as shells, deleted documents as null, whole documents whole', () => {
    const line = framed(joined(recordContent(record())))
    const end = line.length - 1
    const decoded = decodeRecord(line, SUM_PREFIX, end)
    expect({seq: decoded.seq, transactionId: decoded.transactionId, timestamp: decoded.timestamp, identity: decoded.identity}).toEqual({
      seq: 7,
      transactionId: 'tx-7',
      timestamp: '2024-05-01T12:00:00Z',
      identity: 'someone',
    })
    expect(decoded.effects.map((e) => [e.id, e.doc === null, e.split !== undefined])).toEqual([
      [article._id, false, true],
      ['gone', true, false],
      [whole._id, false, false],
      ['only-sys', false, true],
    ])
    for (const effect of decoded.effects) {
      if (!effect.doc) continue
      if (effect.split) fill({...effect.split, doc: effect.doc})
      const original = record().effects.find((e) => e.id === effect.id)!.doc
      expect(JSON.stringify(effect.doc)).toBe(JSON.stringify(original))
    }
  })

  it('a format-1 line (the whole record as one JSON, as the old lake wrote it) reads back as it was', () => {
    const old = {seq: 3, transactionId: 'tx-3', timestamp: '2024-01-01T00:00:00Z', identity: 'old', effects: [{id: article._id, doc: article}, {id: 'gone', doc: null}]}
    const line = framed(JSON.stringify(old))
    const decoded = decodeRecord(line, SUM_PREFIX, line.length - 1)
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(old))
  })

  it('refuses a format-2 line whose documents do not match its effects', () => {
    const content = joined(recordContent(record()))
    const parts = content.split(TAB)
    const decode = (json: string) => {
      const buf = framed(json)
      return () => decodeRecord(buf, SUM_PREFIX, buf.length - 1)
    }
    // The last document (only-sys: head + rest) cut off.
    expect(decode(parts.slice(0, -2).join(TAB))).toThrow(/lacks the document for "only-sys"/)
    expect(decode(`${content}${TAB}{"_id":"extra","_type":"t"}`)).toThrow(/more documents than effects/)
    // The documents swapped: each head names another id than its effect.
    expect(decode([parts[0], parts[3], parts[1], parts[2], parts[4], parts[5]].join(TAB))).toThrow(/malformed document for "article-1"/)
    expect(decode(`{"seq":1,"transactionId":"x","effects":[]}${TAB}{}`)).toThrow(/tabs that is not a record of format 2/)
    expect(decode('{"seq":1,"transactionId":"x","format":2,"effects":[["a",2]]}')).toThrow(/malformed effect/)
  })
})

/** A store filled the way start-up fills it: every document as its head (snapshot lines). */
function deferredStore(docs: readonly LakeDocument[]): {store: DocumentStore; lines: Map<string, string>} {
  const store = new DocumentStore()
  const lines = new Map<string, string>()
  for (const doc of [...docs].sort((a, b) => (a._id < b._id ? -1 : 1))) {
    const line = split(doc)
    lines.set(doc._id, line)
    const content = Buffer.from(line)
    const read = readHead(content, 0, content.length)
    if (read) store.addDeferred({doc: read.head.shell, head: read.head, buf: content, start: 0, bodyAt: read.bodyAt, end: content.length})
    else store.apply([{id: doc._id, doc: JSON.parse(line) as LakeDocument}])
  }
  return {store, lines}
}

describe('the store with deferred documents', () => {
  const target = {_id: 'target', _type: 'person', ...SYS, name: 'هدف'} as LakeDocument
  const strongRef = {_id: 'by-strong', _type: 'article', ...SYS, slug: {current: 'قوي'}, publishedAt: '2024-06-01T00:00:00Z', deep: [{x: {person: {_ref: 'target'}}}]} as LakeDocument
  const weakRef = {_id: 'by-weak', _type: 'article', ...SYS, slug: {current: 'ضعيف'}, publishedAt: '2024-03-01T00:00:00Z', p: {_ref: 'target', _weak: true}} as LakeDocument
  const draftRef = {_id: 'drafts.by-draft', _type: 'article', ...SYS, p: {_ref: 'target'}} as LakeDocument
  const crossRef = {_id: 'by-cross', _type: 'article', ...SYS, p: {_ref: 'target', _dataset: 'other'}} as LakeDocument
  const docs = [target, strongRef, weakRef, draftRef, crossRef, CASES[0]!.doc]

  it('indexes slugs, types and references from the heads alone', () => {
    const {store} = deferredStore(docs)
    expect(store.deferredCount).toBe(docs.length)
    expect([...store.indexes.bySlug.ids('قوي')]).toEqual(['by-strong'])
    expect([...store.indexes.bySlug.ids('عنوان-مهم')]).toEqual(['article-1'])
    expect([...store.indexes.refsTo.ids('target')].sort()).toEqual(['by-cross', 'by-strong', 'by-weak', 'drafts.by-draft'])
    expect(store.indexes.typeCount('published', 'article')).toBe(4)
    expect(store.has('target')).toBe(true)
    expect(store.revisions()).toEqual(new Set([SYS._rev]))
    // None of that parsed a document.
    expect(store.deferredCount).toBe(docs.length)
  })

  it('get() hands out the whole document, filled in place, once', () => {
    const {store} = deferredStore(docs)
    const doc = store.get('article-1')!
    expect(JSON.stringify(doc)).toBe(JSON.stringify(CASES[0]!.doc))
    expect(store.deferredCount).toBe(docs.length - 1)
    expect(store.get('article-1')).toBe(doc)
  })

  it('referrersOf finds the strong published referrer only, reading each referrer', () => {
    const {store} = deferredStore(docs)
    expect(store.referrersOf('target')).toEqual(['by-strong'])
    expect(store.referrersOf('person-1')).toEqual(['article-1'])
    expect(store.referrersOf('article-2')).toEqual([]) // weak only
    expect(store.referrersOf('far-1')).toEqual([]) // cross-dataset only
  })

  it('every list the indexes hand out holds whole documents', () => {
    for (const read of [
      (s: DocumentStore) => s.indexes.byVisibility('published'),
      (s: DocumentStore) => s.indexes.byVisibility('all'),
      (s: DocumentStore) => s.indexes.ofType('published', 'article') ?? [],
      (s: DocumentStore) => s.indexes.sorted({fields: ['publishedAt', '_createdAt']}, 'article') ?? [],
      (s: DocumentStore) => s.all(),
    ]) {
      const {store} = deferredStore(docs)
      const list = read(store)
      expect(list.length).toBeGreaterThan(0)
      for (const doc of list) expect(JSON.stringify(doc)).toBe(JSON.stringify(docs.find((d) => d._id === doc._id)))
      expect(store.deferredCount).toBe(0)
    }
    // Ordered by a field only the rest holds.
    const byDate = deferredStore(docs).store.indexes.sorted({fields: ['publishedAt']}, 'article')!
    expect(byDate).toHaveLength(5)
    expect(byDate.filter((d) => d.publishedAt !== undefined).map((d) => d._id)).toEqual(['by-weak', 'by-strong'])
    const {store} = deferredStore(docs)
    const words = store.indexes.wordIndex('name')!
    expect([...words.keys()].length).toBeGreaterThan(0)
    expect(store.deferredCount).toBe(0)
  })

  it('snapshot lines of deferred documents are their bytes, unparsed, and the same as a filled document would write', () => {
    const {store, lines} = deferredStore(docs)
    const written = [...store.snapshotLines()].map(joined)
    expect(store.deferredCount).toBe(docs.length)
    const ids = [...lines.keys()].sort()
    expect(written).toEqual(ids.map((id) => lines.get(id)!))
    // Filled, the same documents write the same bytes.
    store.all()
    expect([...store.snapshotLines()].map(joined)).toEqual(written)
  })

  it('replacing or deleting a deferred document unindexes what its rest held (slug, references, words)', () => {
    const {store} = deferredStore(docs)
    const replaced = {_id: 'by-strong', _type: 'article', ...SYS, _rev: 'rev-2', slug: {current: 'جديد'}} as LakeDocument
    store.apply([{id: 'by-strong', doc: replaced}])
    expect([...store.indexes.bySlug.ids('قوي')]).toEqual([])
    expect([...store.indexes.bySlug.ids('جديد')]).toEqual(['by-strong'])
    expect([...store.indexes.refsTo.ids('target')].sort()).toEqual(['by-cross', 'by-weak', 'drafts.by-draft'])
    expect(store.referrersOf('target')).toEqual([])
    store.apply([{id: 'article-1', doc: null}])
    expect([...store.indexes.bySlug.ids('عنوان-مهم')]).toEqual([])
    expect([...store.indexes.refsTo.ids('person-1')]).toEqual([])
    expect(store.get('article-1')).toBeUndefined()
  })

  it('a rest that does not parse: the read that meets it fails with a clear message', () => {
    const store = new DocumentStore()
    const content = Buffer.from(`[{"_id":"bad","_type":"t","_rev":"r"},null,[],[]]${TAB}{"title":"cut`)
    const read = readHead(content, 0, content.length)!
    store.addDeferred({doc: read.head.shell, head: read.head, buf: content, start: 0, bodyAt: read.bodyAt, end: content.length})
    expect(() => store.get('bad')).toThrow(/document "bad" cannot be read: its stored bytes do not parse .* although their checksum matches.*npm run lake -- import/)
  })

  // A failed fill leaves the document deferred: handing out the shell instead would let a patch
  // write the shell plus the patch, and lose the rest for good.
  it('a rest that does not parse: later reads fail too, never hand out the shell', () => {
    const store = new DocumentStore()
    const content = Buffer.from(`[{"_id":"bad","_type":"t","_rev":"r"},null,[],[]]${TAB}{"title":"cut`)
    const read = readHead(content, 0, content.length)!
    store.addDeferred({doc: read.head.shell, head: read.head, buf: content, start: 0, bodyAt: read.bodyAt, end: content.length})
    expect(() => store.get('bad')).toThrow(/do not parse/)
    expect(() => store.get('bad')).toThrow(/do not parse/)
    expect(() => store.all()).toThrow(/do not parse/)
    expect([...store.snapshotLines()].map((parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString())).toEqual([content.toString()])
    // A newer version (a later log record at replay) replaces it without reading it.
    store.apply([{id: 'bad', doc: {_id: 'bad', _type: 't', _rev: 'r2', _createdAt: 'c', _updatedAt: 'u', title: 'whole'}}])
    expect(store.get('bad')?.title).toBe('whole')
    expect(store.deferredCount).toBe(0)
  })
})
