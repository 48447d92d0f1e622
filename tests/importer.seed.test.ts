import {describe, expect, it} from 'vitest'
import {importAgencyPage} from '../src/importer/importer'
import type {Block, QuoteDoc} from '../src/content/types'
import {christianJames, seedAgencyId, seedEntities} from '../seed/entities'
import {annotatedText, blockText, expectWellFormed, readText} from './helpers/importer'

const SOURCE = readText('seed/000_7c4fc380b91d5dac.txt')
/** The seed page's 13 non-empty lines: headline, lead, then the body and the agency's footer. */
const LINES = SOURCE.split('\n').map((l) => l.trim()).filter(Boolean)
const JAMES = christianJames._id

const run = () => importAgencyPage(SOURCE, {sourceKey: '7c4fc380b91d5dac', entities: seedEntities, agency: seedAgencyId})
const result = run()
const {article, quotes} = result
const quoteStarting = (prefix: string): QuoteDoc => {
  const found = quotes.filter((q) => q.text.startsWith(prefix))
  expect(found, prefix).toHaveLength(1)
  return found[0] as QuoteDoc
}
const blockOf = (q: QuoteDoc): Block => article.body.find((b) => b._key === q.blockKey) as Block

describe('importer on the seed article: structure', () => {
  it('takes line 1 as the headline and line 2 as the lead, verbatim', () => {
    expect(article.headline).toBe('الولايات المتحدة ستجدد جهودها للتوصل لتسوية سياسية تنهي الحرب في سوريا')
    expect(article.lead).toBe(LINES[1])
    expect(article.lead).toMatch(/^أوضح المتحدث باسم الخارجية الأميركية كريستيان جيمس أن داعش لايزال يشكل تهديداً خطيراً في سوريا ،ويستفيد/)
    expect(article.slug.current).toBe('الولايات-المتحدة-ستجدد-جهودها-للتوصل-لتسوية-سياسية-تنهي-الحرب-في-سوريا')
    expect(article._id).toBe('article-7c4fc380b91d5dac')
  })

  it('keeps lines 3–11 as the body, in order, including the editorial note, without the chrome', () => {
    expect(article.body).toHaveLength(9)
    expect(article.body.map(blockText)).toEqual(LINES.slice(2, 11))
    expect(blockText(article.body.at(-1) as Block)).toMatch(/^الجدير بالذكر/)
    const all = article.body.map(blockText).join('\n')
    expect(all).not.toContain('اظهر المزيد')
    expect(all).not.toContain('زر الذهاب إلى الأعلى')
    expect(result.warnings.filter((w) => w.includes('chrome'))).toHaveLength(2)
  })

  it('makes exactly the two «المتحدث باسم الخارجية الأميركية: …» lines h2, and nothing else', () => {
    const h2 = article.body.filter((b) => b.style === 'h2')
    expect(h2.map(blockText)).toEqual([LINES[4], LINES[6]])
    expect(article.body.filter((b) => b.style !== 'h2').every((b) => b.style === 'normal')).toBe(true)
    // a subheading summarises a statement: it is not a quote of its own
    for (const block of h2) expect(block.markDefs.filter((m) => m._type === 'quote')).toEqual([])
  })

  it('keeps the page text verbatim, sets no publication date, and points at the agency', () => {
    expect(article.sourceText).toBe(SOURCE)
    expect(article).not.toHaveProperty('publishedAt')
    expect(article.sourceAgency).toEqual({_type: 'reference', _ref: seedAgencyId})
    expect(article.language).toBe('ar')
    expect(article.subjects).toEqual(['سجن الصناعة، الحسكة'])
  })

  it('is well formed (references resolve, spans rebuild the lines, every quote annotated, schema-valid)', () => {
    expectWellFormed(result, SOURCE)
  })
})

describe('importer on the seed article: statements', () => {
  it('attributes every statement to Christian James', () => {
    expect(quotes.length).toBe(8)
    for (const q of quotes) expect(q.speaker).toEqual({_type: 'reference', _ref: JAMES})
  })

  it('finds the direct statements: after قائلا, after a verb with no complementizer, and before a closing ”', () => {
    const direct = [
      'نحث كافة الدول على عدم العمل على تطوير علاقاتها الدبلوماسية أو تعاونها الاقتصادي مع حكومة دمشق قبل تلبية المعايير المنصوص عليها في قرار 2254',
      'منع عودة ظهوره يتطلب مشاركة أمريكية متجددة مع شركائها في التحالف الدولي لهزيمة داعش',
      'ما زالت قوات سوريا الديمقراطية، التي تولت الحصة الكبرى من القتال الميداني ضد داعش، شريكاً عسكرياً ملتزماً، ولكنها لا تستطيع الاستمرار في محاربة داعش أو حراسة عشرات الآلاف المحتجزين وأسرهم بدون دعم دولي',
      'الإجراءات السريعة التي اتخذها قسد لوقف الهجوم على سجن الصناعة قد أفشلت محاولة داعش شحذ قواتها بالمحتجزين الموجودين هناك وسلط الهجوم الضوء على ضعف مراكز الاحتجاز المؤقتة وأهمية توفير الموارد الكاملة لمبادرات التحالف لضمان احتجاز مقاتلي داعش بشكل آمن',
    ]
    expect(quotes.filter((q) => q.kind === 'direct').map((q) => q.text)).toEqual(direct)
    for (const text of direct) expect(SOURCE).toContain(text)
    // the two closing-only ” statements end right before the mark
    expect(SOURCE).toContain(`${direct[1]}”`)
    expect(SOURCE).toContain(`${direct[3]}”`)
  })

  it('marks the reported statements indirect (أشار لى، وأضاف أنهم، وجدد موقف، أكد أن)', () => {
    expect(quotes.filter((q) => q.kind === 'indirect').map((q) => q.text)).toEqual([
      'سعي الولايات المتحدة لتجديد جهودها للتوصل لتسوية سياسية تنهي الحرب في سوريا، بالتشاور الوثيق مع حلفائها والأمم المتحدة',
      'أنهم سيستخدمون الأدوات المتاحة بما في ذلك الضغط الاقتصادي، للدفع باتجاه الإصلاح الهادف والمساءلة، ومواصلة دعم دور الأمم المتحدة في التفاوض على تسوية سياسية بما يتماشى مع قرار مجلس الأمن رقم 2254',
      'موقف بلاده الرافض لتطبيع بعض الدول العربية علاقاتها مع دمشق',
      'داعش يشكل تهديداً خطيراً في سوريا ويستفيد من حالة عدم الاستقرار في البلاد',
    ])
  })

  it('numbers quotes in text order with deterministic ids and records their block', () => {
    expect(quotes.map((q) => q._id)).toEqual(quotes.map((_, i) => `quote-7c4fc380b91d5dac-${String(i + 1).padStart(3, '0')}`))
    for (const q of quotes) {
      expect(blockText(blockOf(q))).toContain(q.text)
      expect(q.language).toBe('ar')
      expect(q.article).toEqual({_type: 'reference', _ref: article._id})
    }
    // the «وأضاف» lines come from the paragraphs right after the speaker was named
    expect(blockOf(quoteStarting('أنهم سيستخدمون'))).toBe(article.body[1])
    expect(blockOf(quoteStarting('ما زالت'))).toBe(article.body[6])
  })

  it('attributes the editorial note to no one and the subheadings to nothing', () => {
    const note = article.body.at(-1) as Block
    expect(note.markDefs.filter((m) => m._type === 'quote')).toEqual([])
    expect(quotes.some((q) => q.blockKey === note._key)).toBe(false)
    expect(quotes.some((q) => q.text.includes('تغض الطرف'))).toBe(false)
  })

  it('records which organizations a statement is about', () => {
    expect(quoteStarting('نحث').about?.map((a) => a._ref)).toEqual(['organization-damascus-government'])
    const sdf = quoteStarting('ما زالت').about?.map((a) => a._ref)
    expect(sdf).toEqual(['organization-syrian-democratic-forces', 'organization-isis'])
    expect(quoteStarting('الإجراءات').subjects).toEqual(['سجن الصناعة، الحسكة'])
  })
})

describe('importer on the seed article: names', () => {
  const mentionsIn = (block: Block): Array<[string, string]> =>
    block.markDefs.flatMap((def) => (def._type === 'mention' ? [[annotatedText(block, def._key), def.target._ref] as [string, string]] : []))
  const allMentions = article.body.flatMap((b) =>
    b.markDefs.flatMap((def) =>
      def._type === 'mention'
        ? b.children.filter((s) => s.marks.includes(def._key)).map((s) => [s.text, def.target._ref] as [string, string])
        : [],
    ),
  )

  it('resolves the spokesperson, «المسؤول الأمريكي» and «كريستيان جيمس» to the same person', () => {
    for (const form of ['المتحدث باسم الخارجية الأميركية', 'كريستيان جيمس', 'المسؤول الأمريكي']) {
      expect(allMentions, form).toContainEqual([form, JAMES])
    }
    expect(article.people).toEqual([expect.objectContaining({_type: 'reference', _ref: JAMES, _key: expect.any(String)})])
  })

  it('tolerates prefixes and the الأميركية/الأمريكية spelling, keeping the text verbatim', () => {
    expect(allMentions).toContainEqual(['لداعش', 'organization-isis'])
    expect(allMentions).toContainEqual(['وقسد', 'organization-syrian-democratic-forces'])
    expect(allMentions).toContainEqual(['والأمم المتحدة', 'organization-united-nations'])
    expect(allMentions).toContainEqual(['الخارجية الأميركية', 'organization-us-state-department'])
    expect(allMentions).toContainEqual(['حكومة دمشق', 'organization-damascus-government'])
    expect(allMentions).toContainEqual(['مجلس الأمن', 'organization-un-security-council'])
    expect(allMentions).toContainEqual(['التحالف الدولي لهزيمة داعش', 'organization-global-coalition-to-defeat-isis'])
    expect(allMentions).toContainEqual(['الدولة التركية', 'organization-turkey'])
    expect(allMentions).toContainEqual(['وكالة أنباء هاوار', 'organization-hawar-news-agency'])
    // one mention markDef per target in a block, reused by its spans
    const first = article.body[0] as Block
    expect(mentionsIn(first).filter(([, ref]) => ref === JAMES).length).toBe(1)
  })

  it('lists the people and organizations, with their documents in dependency order', () => {
    const orgRefs = article.organizations?.map((r) => r._ref) ?? []
    for (const id of ['organization-isis', 'organization-syrian-democratic-forces', 'organization-united-nations', 'organization-turkey']) {
      expect(orgRefs).toContain(id)
    }
    expect(result.people.map((p) => p._id)).toEqual([JAMES])
    expect(result.people[0]?.affiliation?._ref).toBe('organization-us-state-department')
    expect(result.organizations.map((o) => o._id)).toContain('organization-us-state-department')
    expect(result.documents.at(-1)).toBe(article)
    for (const r of [...(article.people ?? []), ...(article.organizations ?? [])]) expect(r._key).toMatch(/^[a-zA-Z0-9]+$/)
  })

  it('keeps Christian James as the editorial facts give him', () => {
    // The person document is the editorial record itself, untouched by the import.
    expect(result.people[0]).toEqual(christianJames)
    expect(result.people[0]).toMatchObject({
      _id: 'person-christian-james',
      _type: 'person',
      name: 'كريستيان جيمس',
      nameLatin: 'Christian James',
      slug: {_type: 'slug', current: 'christian-james'},
      jobTitle: 'المتحدث باسم وزارة الخارجية الأميركية',
    })
  })
})

describe('importer on the seed article: determinism', () => {
  it('gives identical output for the same input', () => {
    expect(run()).toEqual(result)
    expect(JSON.stringify(run())).toBe(JSON.stringify(result))
  })

  it('derives the article key from the text when no source key is given', () => {
    const a = importAgencyPage(SOURCE, {entities: seedEntities})
    const b = importAgencyPage(SOURCE, {entities: seedEntities})
    expect(a.article._id).toBe(b.article._id)
    expect(a.article._id).toMatch(/^article-[0-9a-f]{16}$/)
    expect(a.article.body.map((x) => x._key)).toEqual(result.article.body.map((x) => x._key))
    const changed = importAgencyPage(`${SOURCE}\n`, {entities: seedEntities})
    expect(changed.article._id).not.toBe(a.article._id)
    expect(a.warnings.some((w) => w.includes('no source agency'))).toBe(true)
    expect(a.article.sourceAgency).toBeUndefined()
  })

  it('does not change the entities it is given', () => {
    const before = JSON.stringify(seedEntities)
    run()
    expect(JSON.stringify(seedEntities)).toBe(before)
  })
})
