// The importer's parts: page chrome, structure, name matching, statement rules, Portable Text, keys.
import {describe, expect, it} from 'vitest'
import {createEntityTable, findMentions} from '../src/importer/entities'
import {importAgencyPage} from '../src/importer/importer'
import {hash64, sanitizeIdPart, sourceKeyFor, transliterate} from '../src/importer/keys'
import {isChromeLine, parsePage} from '../src/importer/page'
import {buildBlock} from '../src/importer/portableText'
import {findQuoteMarks, trimRange} from '../src/importer/statements'
import {isSubheading} from '../src/importer/structure'
import {christianJames, seedEntities} from '../seed/entities'
import {blockText} from './helpers/importer'

describe('page chrome', () => {
  it.each([
    'اظهر المزيد',
    'زر الذهاب إلى الأعلى',
    'شارك',
    'مشاركة عبر فيسبوك',
    'اقرأ أيضاً',
    'اقرأ أيضاً: عنوان خبر آخر عن الانتخابات',
    'إقرأ المزيد',
    'طباعة',
    'تويتر',
    'واتساب',
    'العودة للأعلى',
    'المصدر: وكالات',
    'Facebook Twitter WhatsApp',
  ])('drops «%s»', (line) => expect(isChromeLine(line)).toBe(true))

  it.each([
    'شارك الوزير في اجتماع اللجنة الوزارية أمس.',
    'الولايات المتحدة ستجدد جهودها للتوصل لتسوية سياسية تنهي الحرب في سوريا',
    'المتحدث باسم الخارجية الأميركية: داعش يستفيد من عدم الاستقرار وقسد شريك عسكري مقتدر وملتزم',
    'المصدر: مسؤول في وزارة الدفاع قال إن العملية انتهت.',
  ])('keeps «%s»', (line) => expect(isChromeLine(line)).toBe(false))

  it('splits any line break, trims line ends only, and numbers lines', () => {
    const page = parsePage('  عنوان الخبر  \r\n\r\nالمقدمة هنا.\rطباعة\n\u00a0فقرة  فيها  مسافات. ')
    expect(page.lines.map((l) => [l.lineNumber, l.text])).toEqual([
      [1, 'عنوان الخبر'],
      [3, 'المقدمة هنا.'],
      [5, 'فقرة  فيها  مسافات.'],
    ])
    expect(page.chrome.map((l) => l.text)).toEqual(['طباعة'])
  })
})

describe('subheadings', () => {
  it('are short lines without final punctuation', () => {
    expect(isSubheading('المتحدث باسم الخارجية الأميركية: نحث كافة الدول على عدم تطوير علاقاتها مع دمشق')).toBe(true)
    expect(isSubheading('وأضاف أنهم سيستخدمون الأدوات المتاحة.')).toBe(false)
    expect(isSubheading('قال الوزير: «سنعود»')).toBe(false)
    expect(isSubheading(Array.from({length: 17}, () => 'كلمة').join(' '))).toBe(false)
  })
})

describe('name matching', () => {
  const mentions = (text: string, table = createEntityTable(seedEntities)) =>
    findMentions(table, text).map((m) => [text.slice(m.start, m.end), m.id])

  it('tolerates prefixes, الأميركية/الأمريكية and diacritics, and returns verbatim ranges', () => {
    expect(mentions('دعا للأمم المتحدة وبالخارجية الأمريكية وداعِشُ')).toEqual([
      ['للأمم المتحدة', 'organization-united-nations'],
      ['وبالخارجية الأمريكية', 'organization-us-state-department'],
      ['وداعِشُ', 'organization-isis'],
    ])
  })

  it('prefers the longest form and does not match inside words', () => {
    expect(mentions('التحالف الدولي لهزيمة داعش ودمشقية')).toEqual([
      ['التحالف الدولي لهزيمة داعش', 'organization-global-coalition-to-defeat-isis'],
    ])
  })

  it('uses context aliases only once the entity has been named', () => {
    expect(mentions('قال جيمس والمسؤول الأمريكي')).toEqual([])
    const table = createEntityTable(seedEntities)
    expect(mentions('كريستيان جيمس', table)).toEqual([['كريستيان جيمس', christianJames._id]])
    expect(mentions('قال جيمس والمسؤول الأمريكي', table)).toEqual([
      ['جيمس', christianJames._id],
      ['والمسؤول الأمريكي', christianJames._id],
    ])
  })
})

describe('statement rules', () => {
  const importBody = (...paragraphs: string[]) =>
    importAgencyPage(['عنوان تجريبي', 'مقدمة تجريبية.', ...paragraphs].join('\n'), {entities: seedEntities})
  const quotesOf = (r: ReturnType<typeof importBody>) =>
    r.quotes.map((q) => [r.people.concat().find((p) => p._id === q.speaker._ref)?.name ?? q.speaker._ref, q.kind, q.text])

  it('runs an unclosed « to the end of the paragraph', () => {
    const r = importBody('وقال كريستيان جيمس: «سنبقى إلى جانب شركائنا في المنطقة مهما طال الوقت')
    expect(quotesOf(r)).toEqual([['كريستيان جيمس', 'direct', 'سنبقى إلى جانب شركائنا في المنطقة مهما طال الوقت']])
  })

  it('takes a paragraph that opens with a speaker and a colon as a direct statement', () => {
    const r = importBody('كريستيان جيمس: الحوار هو الطريق الوحيد لإنهاء الأزمة.')
    expect(quotesOf(r)).toEqual([['كريستيان جيمس', 'direct', 'الحوار هو الطريق الوحيد لإنهاء الأزمة']])
  })

  it('does not take a short «term» in quote marks for a statement', () => {
    const r = importBody('قال كريستيان جيمس إن «داعش» ما زال يشكل خطراً على المنطقة.')
    expect(quotesOf(r)).toEqual([['كريستيان جيمس', 'indirect', '«داعش» ما زال يشكل خطراً على المنطقة']])
  })

  it('does not split a quote at a reporting verb inside the marks', () => {
    const r = importBody('وقال كريستيان جيمس: «قلنا مراراً إن الحل سياسي، وأكدنا ذلك لكل الأطراف».')
    expect(quotesOf(r)).toEqual([['كريستيان جيمس', 'direct', 'قلنا مراراً إن الحل سياسي، وأكدنا ذلك لكل الأطراف']])
  })

  it('leaves out a statement when no one has been named, with a warning', () => {
    const r = importBody('وأضاف أن الاجتماع سيعقد غداً في العاصمة.')
    expect(r.quotes).toEqual([])
    expect(r.warnings.some((w) => w.includes('no speaker'))).toBe(true)
  })

  it('gives a verb-only continuation to the last named speaker, not to a name merely mentioned', () => {
    const r = importBody(
      'قالت وزيرة الخارجية السويدية آنا ليند إن بلادها ستزيد مساعداتها هذا العام.',
      'وكان كريستيان جيمس قد زار المنطقة الشهر الماضي للقاء المسؤولين المحليين.',
      'وأضافت أن الدعم سيشمل قطاعي التعليم والصحة.',
    )
    expect(quotesOf(r)).toEqual([
      ['آنا ليند', 'indirect', 'بلادها ستزيد مساعداتها هذا العام'],
      ['آنا ليند', 'indirect', 'الدعم سيشمل قطاعي التعليم والصحة'],
    ])
  })

  it('reads a full name after a title, past «علي» and a definite family name, up to the circumstance', () => {
    const r = importBody('قال رئيس مجلس الوزراء محمد علي الشمري خلال مؤتمر صحفي في بغداد إن الحكومة ماضية في خطتها.')
    expect(quotesOf(r)).toEqual([['محمد علي الشمري', 'indirect', 'الحكومة ماضية في خطتها']])
    expect(r.people[0]?.jobTitle).toBe('رئيس مجلس الوزراء')
  })

  it('keeps a speaker the text does not name («مسؤول أمريكي») to one article', () => {
    const a = importBody('وقال مسؤول أمريكي إن واشنطن تتابع الوضع عن كثب.')
    const b = importBody('وقال مسؤول أمريكي إن المحادثات ستستأنف الأسبوع المقبل.')
    expect(quotesOf(a)).toEqual([['مسؤول أمريكي', 'indirect', 'واشنطن تتابع الوضع عن كثب']])
    expect(a.people[0]?.name).toBe(b.people[0]?.name)
    expect(a.people[0]?._id).not.toBe(b.people[0]?._id)
    expect(a.people[0]?.slug.current).not.toBe(b.people[0]?.slug.current)
  })

  it('ends an indirect statement at the end of its sentence, and one cue at the next', () => {
    const r = importBody('وأكد كريستيان جيمس أن الهدنة صامدة حتى الآن. وتستمر المفاوضات في جنيف الأسبوع المقبل.')
    expect(quotesOf(r)).toEqual([['كريستيان جيمس', 'indirect', 'الهدنة صامدة حتى الآن']])
  })

  it('finds pairs of each mark kind and closing-only marks', () => {
    const line = 'قال «أ ب» ثم “ج د” و"هـ و" ثم ز”'
    const marks = findQuoteMarks(line)
    expect(marks.regions.map((r) => line.slice(r.open, r.close + 1))).toEqual(['«أ ب»', '“ج د”', '"هـ و"'])
    expect(marks.closingOnly).toEqual([line.length - 1])
  })

  it('trims punctuation and dangling connectives from a quote range', () => {
    const line = ' نص القول، و.'
    const [s, e] = trimRange(line, 0, line.length)
    expect(line.slice(s, e)).toBe('نص القول')
  })
})

describe('Portable Text blocks', () => {
  it('splits spans at overlapping annotations and keeps the text verbatim', () => {
    const text = 'قال إن الأمم المتحدة تدعم الحل.'
    const block = buildBlock({
      key: 'bk',
      style: 'normal',
      text,
      quotes: [{start: 7, end: 30, quoteId: 'quote-x-1'}],
      mentions: [{start: 7, end: 20, targetId: 'organization-united-nations'}],
    })
    expect(blockText(block)).toBe(text)
    expect(block.children.map((s) => [s.text, s.marks])).toEqual([
      ['قال إن ', []],
      ['الأمم المتحدة', ['bkq0', 'bkm0']],
      [' تدعم الحل', ['bkq0']],
      ['.', []],
    ])
    expect(block.children.map((s) => s._key)).toEqual(['bks0', 'bks1', 'bks2', 'bks3'])
    expect(block.markDefs).toEqual([
      {_key: 'bkq0', _type: 'quote', quote: {_type: 'reference', _ref: 'quote-x-1'}},
      {_key: 'bkm0', _type: 'mention', target: {_type: 'reference', _ref: 'organization-united-nations'}},
    ])
  })

  it('refuses an annotation outside the text', () => {
    expect(() => buildBlock({key: 'k', style: 'normal', text: 'abc', quotes: [{start: 1, end: 9, quoteId: 'q'}]})).toThrow()
  })
})

describe('keys and ids', () => {
  it('hashes with FNV-1a 64', () => {
    expect(hash64('')).toBe('cbf29ce484222325')
    expect(hash64('a')).toBe('af63dc4c8601ec8c')
  })

  it('keeps ids within a-zA-Z0-9_- and never puts a dot in them', () => {
    expect(sanitizeIdPart('seed.000 article')).toBe('seed-000-article')
    expect(sourceKeyFor('x', 'a.b')).toBe('a-b')
    expect(sourceKeyFor('x', '...')).toBe(hash64('x'))
    expect(transliterate('جان مارك')).toBe('jan-mark')
  })
})

describe('errors', () => {
  it('rejects an empty page and a page of only chrome', () => {
    expect(() => importAgencyPage(' \n ', {entities: seedEntities})).toThrow(/empty/)
    expect(() => importAgencyPage('اظهر المزيد\nزر الذهاب إلى الأعلى', {entities: seedEntities})).toThrow(/no content/)
  })

  it('warns when the agency id is not a known organization', () => {
    const r = importAgencyPage('عنوان\nمقدمة.', {entities: seedEntities, agency: 'organization-nope'})
    expect(r.article.sourceAgency).toBeUndefined()
    expect(r.warnings.some((w) => w.includes('organization-nope'))).toBe(true)
  })
})
