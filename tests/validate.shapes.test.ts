// The validator's type and shape checks, one per test: each document is written out here, broken in one
// place, and the expected path and message are spelled out (the wording `sanity documents validate` uses,
// then what to write instead).
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {validateDocuments, type ExtractedSchema, type ValidatableDocument} from '../src/content/validate'

const schema = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as ExtractedSchema

const IMAGE_ID = 'image-3f2a9c41b7e8d6a5c4b3a291807f6e5d4c3b2a19-800x600-jpg'
// What the dataset holds besides the document under test.
const EXISTING = new Map([
  ['organization-water', 'organization'],
  ['person-sara', 'person'],
  ['quote-sara-1', 'quote'],
  [IMAGE_ID, 'sanity.imageAsset'],
])

const person = (fields: Record<string, unknown> = {}): ValidatableDocument => ({
  _id: 'person-sara',
  _type: 'person',
  name: 'سارة الخطيب',
  slug: {_type: 'slug', current: 'sara-al-khatib'},
  ...fields,
})

const quote = (fields: Record<string, unknown> = {}): ValidatableDocument => ({
  _id: 'quote-sara-1',
  _type: 'quote',
  language: 'ar',
  text: 'المياه ستعود خلال أسبوع',
  kind: 'direct',
  speaker: {_type: 'reference', _ref: 'person-sara'},
  ...fields,
})

const block = (fields: Record<string, unknown> = {}) => ({
  _type: 'block',
  _key: 'b1',
  style: 'normal',
  markDefs: [{_type: 'mention', _key: 'm1', target: {_type: 'reference', _ref: 'person-sara'}}],
  children: [
    {_type: 'span', _key: 's1', text: 'قالت ', marks: []},
    {_type: 'span', _key: 's2', text: 'سارة الخطيب', marks: ['m1']},
  ],
  ...fields,
})

const article = (fields: Record<string, unknown> = {}): ValidatableDocument => ({
  _id: 'article-water',
  _type: 'article',
  language: 'ar',
  headline: 'عودة المياه إلى الأحياء الشرقية',
  slug: {_type: 'slug', current: 'عودة-المياه-إلى-الأحياء-الشرقية'},
  body: [block()],
  ...fields,
})

const check = (doc: ValidatableDocument) => validateDocuments(schema, [doc], EXISTING)

describe('validator: documents written for these tests', () => {
  it('accepts the unbroken person, quote and article, with a portrait and Portable Text', () => {
    expect(check(person({jobTitle: 'مديرة', portrait: {_type: 'image', alt: 'صورة', asset: {_type: 'reference', _ref: IMAGE_ID}}}))).toEqual([])
    expect(check(quote({extraction: {confidence: 0.8}, review: {needed: false}}))).toEqual([])
    expect(check(article({people: [{_type: 'reference', _ref: 'person-sara', _key: 'p1'}]}))).toEqual([])
  })
})

describe('validator: primitive types', () => {
  it('rejects an object where a string belongs', () => {
    expect(check(person({jobTitle: {a: 1}}))).toEqual([
      {documentId: 'person-sara', path: 'jobTitle', message: 'Expected type "String", got "Object" {"a":1}: set jobTitle to text.'},
    ])
  })

  it('rejects a number where a string belongs', () => {
    expect(check(person({nameLatin: 42}))).toEqual([
      {documentId: 'person-sara', path: 'nameLatin', message: 'Expected type "String", got "Number" 42: set nameLatin to text.'},
    ])
  })

  it('rejects a list where a string belongs', () => {
    expect(check(article({headline: ['عودة', 'المياه']}))).toEqual([
      {documentId: 'article-water', path: 'headline', message: 'Expected type "String", got "Array" ["عودة","المياه"]: set headline to text.'},
    ])
  })

  it('rejects a numeric string where a number belongs and says to drop the quotes', () => {
    expect(check(quote({extraction: {confidence: '0.8'}}))).toEqual([
      {documentId: 'quote-sara-1', path: 'extraction.confidence', message: 'Expected type "Number", got "String" "0.8": write 0.8 without quotes.'},
    ])
  })

  it('rejects a word where a number belongs', () => {
    expect(check(quote({extraction: {confidence: 'high'}}))).toEqual([
      {documentId: 'quote-sara-1', path: 'extraction.confidence', message: 'Expected type "Number", got "String" "high": set extraction.confidence to a number.'},
    ])
  })

  it('rejects NaN and Infinity as numbers', () => {
    expect(check(quote({extraction: {confidence: Number.NaN}}))).toEqual([
      {documentId: 'quote-sara-1', path: 'extraction.confidence', message: 'Expected a finite number, got NaN: set extraction.confidence to a number.'},
    ])
    expect(check(quote({extraction: {confidence: Number.POSITIVE_INFINITY}}))[0]?.message).toBe(
      'Expected a finite number, got Infinity: set extraction.confidence to a number.',
    )
  })

  it('rejects a boolean written as a string', () => {
    expect(check(quote({review: {needed: 'true'}}))).toEqual([
      {documentId: 'quote-sara-1', path: 'review.needed', message: 'Expected type "Boolean", got "String" "true": write true without quotes.'},
    ])
    expect(check(quote({review: {needed: 'yes'}}))[0]?.message).toBe('Expected type "Boolean", got "String" "yes": set review.needed to true or false.')
  })

  it('rejects a non-string in a fixed list of values', () => {
    expect(check(quote({kind: 1}))).toEqual([
      {documentId: 'quote-sara-1', path: 'kind', message: 'Expected type "String", got "Number" 1: set kind to one of "direct", "indirect".'},
    ])
  })

  it('shortens a long value in the message by whole characters, keeping Arabic intact', () => {
    const long = 'ن'.repeat(80)
    const [problem] = check(person({jobTitle: {title: long}}))
    expect(problem?.message).toBe(`Expected type "String", got "Object" {"title":"${'ن'.repeat(50)}…: set jobTitle to text.`)
  })
})

describe('validator: lists and objects', () => {
  it('rejects a string where a list belongs', () => {
    expect(check(person({aliases: 'الخطيب'}))).toEqual([
      {documentId: 'person-sara', path: 'aliases', message: 'Expected type "Array", got "String" "الخطيب": set aliases to a list: ["الخطيب"].'},
    ])
  })

  it('rejects an object inside a list of strings', () => {
    expect(check(person({aliases: ['الخطيب', {name: 'سارة'}]}))).toEqual([
      {documentId: 'person-sara', path: 'aliases[1]', message: 'Expected type "String", got "Object" {"name":"سارة"}: set aliases[1] to text.'},
    ])
  })

  it('rejects a string where a slug object belongs and shows the slug shape', () => {
    expect(check(person({slug: 'sara-al-khatib'}))).toEqual([
      {
        documentId: 'person-sara',
        path: 'slug',
        message: 'Expected type "Object", got "String" "sara-al-khatib": set slug to an object: {"_type": "slug", "current": …}.',
      },
    ])
  })

  it('rejects a bare id where a reference belongs and shows the reference shape', () => {
    expect(check(person({affiliation: 'organization-water'}))).toEqual([
      {
        documentId: 'person-sara',
        path: 'affiliation',
        message: 'Expected type "Object", got "String" "organization-water": set affiliation to a reference: {"_type": "reference", "_ref": "<organization id>"}.',
      },
    ])
  })

  it('rejects a bare id where a reference to one of several types belongs', () => {
    expect(check(quote({speaker: 'person-sara'}))).toEqual([
      {
        documentId: 'quote-sara-1',
        path: 'speaker',
        message: 'Expected type "Object", got "String" "person-sara": set speaker to a reference: {"_type": "reference", "_ref": "<person or organization id>"}.',
      },
    ])
  })

  it('rejects a list of strings where an object belongs and names its fields', () => {
    expect(check(quote({extraction: ['قال']}))).toEqual([
      {
        documentId: 'quote-sara-1',
        path: 'extraction',
        message: 'Expected type "Object", got "Array" ["قال"]: set extraction to an object with the fields cue, confidence, basis.',
      },
    ])
  })

  it('rejects list items of objects without a _key', () => {
    expect(check(article({people: [{_type: 'reference', _ref: 'person-sara'}]}))).toEqual([
      {documentId: 'article-water', path: 'people[0]', message: 'List item has no _key: give people[0] a _key, a short string unique within people.'},
    ])
  })

  it('rejects a _key used twice in one list', () => {
    const span = {_type: 'span', _key: 's1', text: 'نص', marks: []}
    expect(check(article({body: [block({children: [span, {...span}]})]}))).toEqual([
      {
        documentId: 'article-water',
        path: 'body[_key=="b1"].children[_key=="s1"]',
        message: 'Duplicate _key "s1" in body[_key=="b1"].children: give each item its own _key.',
      },
    ])
  })

  it('rejects a list item whose _type is not among the allowed members', () => {
    const markDefs = [{_type: 'footnote', _key: 'f1', text: 'هامش'}]
    expect(check(article({body: [block({markDefs, children: [{_type: 'span', _key: 's1', text: 'نص', marks: []}]})]}))).toEqual([
      {
        documentId: 'article-water',
        path: 'body[_key=="b1"].markDefs[_key=="f1"]',
        message: 'Has _type "footnote", which is not allowed here: use one of "link", "quote", "mention".',
      },
    ])
  })

  it('rejects a Portable Text item that is not a block', () => {
    expect(check(article({body: [block(), {_type: 'image', _key: 'i1', asset: {_type: 'reference', _ref: IMAGE_ID}}]}))).toEqual([
      {documentId: 'article-water', path: 'body[_key=="i1"]', message: 'Has _type "image", which is not allowed here: use "block".'},
    ])
  })

  it('rejects an annotation without a _type and lists the choices', () => {
    const markDefs = [{_key: 'l1', href: 'https://example.org'}]
    expect(check(article({body: [block({markDefs, children: [{_type: 'span', _key: 's1', text: 'نص', marks: ['l1']}]})]}))).toEqual([
      {
        documentId: 'article-water',
        path: 'body[_key=="b1"].markDefs[_key=="l1"]._type',
        message: 'Missing _type: set body[_key=="b1"].markDefs[_key=="l1"]._type to one of "link", "quote", "mention".',
      },
    ])
  })

  it('rejects a span whose text is not a string, and children that are not a list', () => {
    const children = [{_type: 'span', _key: 's1', text: 7, marks: []}]
    expect(check(article({body: [block({markDefs: [], children}), block({_key: 'b2', markDefs: [], children: 'نص'})]}))).toEqual([
      {
        documentId: 'article-water',
        path: 'body[_key=="b1"].children[_key=="s1"].text',
        message: 'Expected type "String", got "Number" 7: set body[_key=="b1"].children[_key=="s1"].text to text.',
      },
      {
        documentId: 'article-water',
        path: 'body[_key=="b2"].children',
        message: 'Expected type "Array", got "String" "نص": set body[_key=="b2"].children to a list: ["نص"].',
      },
    ])
  })

  it('rejects a list item kind, which the schema does not allow', () => {
    expect(check(article({body: [block({listItem: 'bullet'})]}))).toEqual([
      {documentId: 'article-water', path: 'body[_key=="b1"].listItem', message: 'The schema allows no value here: remove body[_key=="b1"].listItem.'},
    ])
  })

  it('accepts anything in a field the schema types as unknown (an image\'s media)', () => {
    const portrait = {_type: 'image', alt: 'صورة', asset: {_type: 'reference', _ref: IMAGE_ID}, media: {anything: [1, 'x']}}
    expect(check(person({portrait}))).toEqual([])
  })
})

describe('validator: _type on objects that need it', () => {
  it('rejects a slug without _type', () => {
    expect(check(person({slug: {current: 'sara-al-khatib'}}))).toEqual([
      {documentId: 'person-sara', path: 'slug._type', message: 'Missing _type: set slug._type to "slug".'},
    ])
  })

  it('still checks the form of a slug that has no _type', () => {
    expect(check(person({slug: {current: 'Sara Al Khatib'}})).map((p) => p.path)).toEqual(['slug._type', 'slug.current'])
  })

  it('rejects a reference without _type', () => {
    expect(check(person({affiliation: {_ref: 'organization-water'}}))).toEqual([
      {documentId: 'person-sara', path: 'affiliation._type', message: 'Missing _type: set affiliation._type to "reference".'},
    ])
  })

  it('rejects an image without _type, and its asset reference without _type', () => {
    expect(check(person({portrait: {alt: 'صورة', asset: {_ref: IMAGE_ID}}}))).toEqual([
      {documentId: 'person-sara', path: 'portrait._type', message: 'Missing _type: set portrait._type to "image".'},
      {documentId: 'person-sara', path: 'portrait.asset._type', message: 'Missing _type: set portrait.asset._type to "reference".'},
    ])
  })

  it('rejects an object with the _type of another shape', () => {
    expect(check(person({slug: {_type: 'reference', current: 'sara-al-khatib'}}))).toEqual([
      {documentId: 'person-sara', path: 'slug', message: 'Has _type "reference", which is not allowed here: use "slug".'},
    ])
  })
})

describe('validator: references and assets', () => {
  it('rejects a _ref that is not a string', () => {
    expect(check(person({affiliation: {_type: 'reference', _ref: 12}}))).toEqual([
      {documentId: 'person-sara', path: 'affiliation._ref', message: 'Expected type "String", got "Number" 12: set affiliation._ref to a document id.'},
    ])
  })

  it('rejects _weak written as a string', () => {
    expect(check(person({affiliation: {_type: 'reference', _ref: 'organization-water', _weak: 'true'}}))).toEqual([
      {documentId: 'person-sara', path: 'affiliation._weak', message: 'Expected type "Boolean", got "String" "true": write true without quotes.'},
    ])
  })

  it('rejects an image asset reference that is not an asset id', () => {
    const portrait = {_type: 'image', alt: 'صورة', asset: {_type: 'reference', _ref: 'sara.jpg'}}
    expect(check(person({portrait}))).toEqual([
      {
        documentId: 'person-sara',
        path: 'portrait.asset._ref',
        message: 'Asset id "sara.jpg" is not in the form image-<hash>-<width>x<height>-<format>: upload the file and use the id the upload returns.',
      },
    ])
  })

  it('rejects an image asset that is not in the dataset', () => {
    const missing = 'image-0000000000000000000000000000000000000000-10x10-png'
    const portrait = {_type: 'image', alt: 'صورة', asset: {_type: 'reference', _ref: missing}}
    expect(check(person({portrait}))).toEqual([
      {
        documentId: 'person-sara',
        path: 'portrait.asset',
        message: `References document "${missing}", which does not exist. Pick an existing document or create it first.`,
      },
    ])
  })
})

describe('validator: unknown fields', () => {
  it('rejects a field the document type does not have, in Sanity\'s words', () => {
    expect(check(person({twitter: '@sara'}))).toEqual([
      {documentId: 'person-sara', path: 'twitter', message: "Field 'twitter' does not exist on type 'person': remove it, or add it to the schema in schemas/."},
    ])
  })

  it('names the nested type: a slug, an anonymous object, a span', () => {
    expect(check(person({slug: {_type: 'slug', current: 'sara-al-khatib', prefix: 'ar'}}))[0]).toEqual({
      documentId: 'person-sara',
      path: 'slug.prefix',
      message: "Field 'prefix' does not exist on type 'slug': remove it, or add it to the schema in schemas/.",
    })
    expect(check(quote({extraction: {cue: 'قال', score: 3}}))[0]).toEqual({
      documentId: 'quote-sara-1',
      path: 'extraction.score',
      message: "Field 'score' does not exist on type 'object': remove it, or add it to the schema in schemas/.",
    })
    const children = [{_type: 'span', _key: 's1', text: 'نص', marks: [], bold: true}]
    expect(check(article({body: [block({markDefs: [], children})]}))[0]).toEqual({
      documentId: 'article-water',
      path: 'body[_key=="b1"].children[_key=="s1"].bold',
      message: "Field 'bold' does not exist on type 'span': remove it, or add it to the schema in schemas/.",
    })
  })

  it('leaves fields starting with an underscore alone, as Sanity does', () => {
    expect(check(person({_system: {imported: true}, slug: {_type: 'slug', current: 'sara-al-khatib', _origin: 'import'}}))).toEqual([])
  })
})
