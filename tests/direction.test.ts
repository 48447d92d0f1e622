import {describe, expect, it} from 'vitest'
import {directionOfLanguage, directionOfText, isSafeHref} from '../src/content/rules'

describe('text direction', () => {
  it('follows the document language', () => {
    expect(directionOfLanguage('ar')).toBe('rtl')
    expect(directionOfLanguage('ar-SY')).toBe('rtl')
    expect(directionOfLanguage('ckb')).toBe('rtl')
    expect(directionOfLanguage('en')).toBe('ltr')
    expect(directionOfLanguage('ar-Latn')).toBe('ltr')
    expect(directionOfLanguage(undefined)).toBe('auto')
  })

  it('falls back to the first strong character of the text', () => {
    expect(directionOfText('كريستيان جيمس')).toBe('rtl')
    expect(directionOfText('2254 قرار')).toBe('rtl')
    expect(directionOfText('ISIS داعش')).toBe('ltr')
    expect(directionOfText('  123 ')).toBe('auto')
    expect(directionOfText('')).toBe('auto')
  })
})

describe('link schemes', () => {
  it('allows only http, https and mailto', () => {
    expect(isSafeHref('https://example.org')).toBe(true)
    expect(isSafeHref('mailto:desk@example.org')).toBe(true)
    expect(isSafeHref('HTTP://EXAMPLE.ORG')).toBe(true)
    expect(isSafeHref('javascript:alert(1)')).toBe(false)
    expect(isSafeHref(' JavaScript:alert(1)')).toBe(false)
    expect(isSafeHref('data:text/html,<script>')).toBe(false)
    expect(isSafeHref('/relative/path')).toBe(false)
  })
})
