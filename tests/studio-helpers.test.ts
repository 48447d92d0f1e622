// Pure helpers behind the Studio's workflow, right-to-left previews and Arabic interface.
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {clampStyle} from '../src/studio/DirectionalPreview'
import {presentationStrings, studioStrings, structureStrings, validationStrings} from '../src/studio/locale/ar'
import {arabicDescriptions, arabicTitles, translateSchemaText} from '../src/studio/locale/fields'
import {firstWords, publishedAtPatch, quoteAnnotationTitle, startOfLocalDay} from '../src/studio/workflow'
import {schemaTypes} from '../schemas'
import {slugProblem} from '../schemas/fields/slug'
import {REPO_ROOT} from './helpers/lake'

describe('workflow helpers', () => {
  it('sets publishedAt only when the article has none', () => {
    const now = new Date('2026-03-01T10:00:00Z')
    expect(publishedAtPatch(undefined, now)).toEqual({set: {publishedAt: '2026-03-01T10:00:00.000Z'}})
    expect(publishedAtPatch('', now)).toEqual({set: {publishedAt: '2026-03-01T10:00:00.000Z'}})
    expect(publishedAtPatch('2025-12-31T08:00:00Z', now)).toBeNull()
  })

  it('starts "today" at local midnight', () => {
    const start = new Date(startOfLocalDay(new Date(2026, 2, 1, 17, 45, 12)))
    expect([start.getFullYear(), start.getMonth(), start.getDate(), start.getHours(), start.getMinutes()]).toEqual([2026, 2, 1, 0, 0])
  })

  it('names the quote in its annotation popover by speaker and first words, isolated', () => {
    expect(firstWords('واحد اثنان ثلاثة', 6)).toBe('واحد اثنان ثلاثة')
    expect(firstWords(' a b  c d e f g h ', 3)).toBe('a b c…')
    const title = quoteAnnotationTitle({speaker: 'كريستيان جيمس', text: 'إن الولايات المتحدة ستواصل دعم الحل السياسي في سوريا'})
    expect(title).toBe('Quote — \u2068كريستيان جيمس\u2069\u2068: «إن الولايات المتحدة ستواصل دعم الحل…»\u2069')
    expect(quoteAnnotationTitle({speaker: null, text: null})).toBe('Quote — \u2068no speaker yet\u2069')
    expect(quoteAnnotationTitle(null)).toMatch(/no quote document/)
  })

  it('tells a slug problem that Sanity\'s own slug check does not, once', () => {
    expect(slugProblem(undefined)).toMatch(/^Slug is required/)
    expect(slugProblem({current: 'Bad Slug'})).toMatch(/^Slug must be lower-case/)
    expect(slugProblem({current: 'وكالة-أنباء-هاوار'})).toBe(true)
    // No `current`: Sanity's check already says "Slug must have a value".
    expect(slugProblem({})).toBe(true)
  })

  it('clamps a title to one line, or a quote to two, cutting at the end', () => {
    expect(clampStyle('rtl', 1)).toMatchObject({whiteSpace: 'nowrap', textOverflow: 'ellipsis', overflow: 'hidden', textAlign: 'start'})
    expect(clampStyle('rtl', 2)).toMatchObject({WebkitLineClamp: 2, display: '-webkit-box', whiteSpace: 'normal'})
    expect(clampStyle('auto', 1).unicodeBidi).toBe('plaintext')
  })
})

describe('Arabic interface', () => {
  // Sanity's English bundles as shipped, namespace by namespace; a key Sanity does not have would never show.
  const english = sanityEnglishBundles()
  const bundles: Array<[string, Record<string, string>]> = [
    ['structure', structureStrings],
    ['studio', studioStrings],
    ['validation', validationStrings],
    ['presentation', presentationStrings],
  ]

  it('reads Sanity\'s English bundles', () => {
    expect(english.studio?.['release.chip.published']).toBe('Published')
    expect(english.structure?.['action.publish.label']).toBe('Publish')
  })

  it.each(bundles)('every %s key is one of Sanity\'s in that namespace, with the same placeholders', (namespace, strings) => {
    const source = english[namespace] ?? {}
    for (const [key, arabic] of Object.entries(strings)) {
      // Plural forms: Arabic has zero/two/few/many, which English lacks; the base key must exist.
      const base = key.replace(/_(zero|one|two|few|many|other)$/, '')
      const englishKey = key in source ? key : `${base}_other`
      expect(source[englishKey], `${namespace}:${key} exists in Sanity`).toBeTypeOf('string')
      const placeholders = (text: string) => [...text.matchAll(/\{\{([\w, ]+)\}\}|<(\w+)\/?>/g)].map((m) => m[1] ?? m[2]).sort()
      if (!/_(zero|one|two)$/.test(key)) expect(placeholders(arabic), key).toEqual(placeholders(source[englishKey]!))
      expect(arabic).toMatch(/\p{Script=Arabic}/u)
    }
  })

  it('translates the status chips, the footer and the list states an editor sees first', () => {
    for (const key of ['release.chip.published', 'release.chip.draft', 'timeline.operation.edited-draft', 'timeline.operation.published']) {
      expect(studioStrings[key], key).toMatch(/\p{Script=Arabic}/u)
    }
    for (const key of ['action.publish.label', 'action.unpublish.label', 'action.discard-changes.label', 'panes.document-list-pane.no-matching-documents.text']) {
      expect(structureStrings[key], key).toMatch(/\p{Script=Arabic}/u)
    }
  })

  it('has an Arabic title for every field and type title in the schema', () => {
    const titles = new Set<string>()
    const walk = (node: {title?: string; fields?: unknown[]; of?: unknown[]} | undefined) => {
      if (!node) return
      if (node.title) titles.add(node.title)
      for (const child of [...(node.fields ?? []), ...(node.of ?? [])]) walk(child as typeof node)
    }
    for (const type of schemaTypes) walk(type as never)
    // Portable Text styles, decorators and annotation types are named by Sanity's own bundle in the editor.
    const sanityNamed = new Set(['Normal', 'Subheading', 'Minor heading', 'Block quote', 'Strong', 'Emphasis', 'Link', 'Address', 'Mention', 'Person or organization'])
    const missing = [...titles].filter((title) => !sanityNamed.has(title) && translateSchemaText(title, arabicTitles) === title)
    expect(missing).toEqual([])
    expect(translateSchemaText('Headline', arabicTitles)).toBe('العنوان')
    expect(translateSchemaText('Not a title', arabicTitles)).toBe('Not a title')
    for (const text of Object.values(arabicDescriptions)) expect(text).toMatch(/\p{Script=Arabic}/u)
  })
})

/** Sanity's en-US strings by namespace, read from its published bundles (`defineLocalesResources("ns", {…})`). */
function sanityEnglishBundles(): Record<string, Record<string, string>> {
  const lib = path.join(REPO_ROOT, 'node_modules/sanity/lib')
  const files = ['index.js', ...fs.readdirSync(path.join(lib, '_chunks-es')).filter((f) => /^resources\d*\.js$/.test(f)).map((f) => `_chunks-es/${f}`)]
  const bundles: Record<string, Record<string, string>> = {}
  for (const file of files) {
    const source = fs.readFileSync(path.join(lib, file), 'utf8')
    for (const start of source.matchAll(/defineLocalesResources\("([^"]+)", \{/g)) {
      const body = source.slice(start.index + start[0].length, source.indexOf('\n}', start.index))
      const strings = (bundles[start[1]!] ??= {})
      for (const entry of body.matchAll(/^\s*"([^"]+)":\s*("(?:[^"\\]|\\.)*")/gm)) strings[entry[1]!] = JSON.parse(entry[2]!) as string
    }
  }
  return bundles
}
