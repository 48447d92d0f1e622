import {describe, expect, it} from 'vitest'
import {slugify} from '../src/content/slugify'
import {checkSlug} from '../src/content/rules'

describe('slugify', () => {
  it('keeps Arabic words and joins them with hyphens', () => {
    expect(slugify('المتحدث باسم الخارجية الأميركية')).toBe('المتحدث-باسم-الخارجية-الأميركية')
  })

  it('drops harakat and tatweel but keeps hamza forms', () => {
    expect(slugify('مُحَمَّد')).toBe('محمد')
    expect(slugify('الأمـــم المتحدة')).toBe('الأمم-المتحدة')
    expect(slugify('إعادة أُسس')).toBe('إعادة-أسس')
  })

  it('lower-cases Latin text and removes accents and punctuation', () => {
    expect(slugify('Christian James')).toBe('christian-james')
    expect(slugify('  Café — Résumé!  ')).toBe('cafe-resume')
  })

  it('handles mixed Arabic, Latin and digits', () => {
    expect(slugify('قرار مجلس الأمن 2254 (UN)')).toBe('قرار-مجلس-الأمن-2254-un')
    expect(slugify('داعش: ISIS، ٢٠٢٢')).toBe('داعش-isis-٢٠٢٢')
  })

  it('folds Arabic presentation forms to ordinary letters', () => {
    // U+FEDF U+FEE0 … are contextual glyph forms that some scraped pages carry.
    expect(slugify('\uFEE3\uFEE8\uFE92\uFEA0')).toBe('منبج')
  })

  it('cuts at a word boundary and never returns an empty slug for text', () => {
    const slug = slugify('كلمة '.repeat(50), 30)
    expect(slug.length).toBeLessThanOrEqual(30)
    expect(slug.endsWith('-')).toBe(false)
    expect(slugify('a'.repeat(200), 10)).toBe('aaaaaaaaaa')
    expect(slugify('!!!')).toBe('')
  })

  it('produces slugs the slug rule accepts, and the rule rejects other forms', () => {
    for (const text of ['الولايات المتحدة ستجدد جهودها', 'Hawar News Agency', 'قسد 2022']) {
      expect(checkSlug(slugify(text))).toBe(true)
    }
    expect(checkSlug('Has Capitals')).not.toBe(true)
    expect(checkSlug('double--hyphen')).not.toBe(true)
    expect(checkSlug('مُحَمَّد')).not.toBe(true)
  })
})
