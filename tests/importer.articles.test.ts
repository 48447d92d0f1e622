// The importer on short articles written for these tests (tests/fixtures/articles), with speakers,
// quote marks and page chrome the seed does not have.
import {describe, expect, it} from 'vitest'
import {importAgencyPage, type ImportResult} from '../src/importer/importer'
import type {PersonDoc, QuoteDoc} from '../src/content/types'
import {seedAgencyId, seedEntities} from '../seed/entities'
import {blockText, expectWellFormed, readText} from './helpers/importer'

const load = (name: string): {source: string; result: ImportResult} => {
  const source = readText(`tests/fixtures/articles/${name}.txt`)
  return {source, result: importAgencyPage(source, {sourceKey: name, entities: seedEntities, agency: seedAgencyId})}
}
const bodyText = (r: ImportResult): string => r.article.body.map(blockText).join('\n')
const personNamed = (r: ImportResult, name: string): PersonDoc => {
  const found = r.people.filter((p) => p.name === name)
  expect(found, name).toHaveLength(1)
  return found[0] as PersonDoc
}
const summary = (quotes: readonly QuoteDoc[]) => quotes.map((q) => [q.speaker._ref, q.kind, q.text])

describe('a minister (new person), «» quotes, a وأضاف continuation, وتجدر الإشارة', () => {
  const {source, result} = load('minister')
  const minister = personNamed(result, 'جان مارك بيرتان')

  it('drops the share, print and «اقرأ أيضاً» lines', () => {
    for (const chrome of ['شارك', 'مشاركة عبر فيسبوك', 'اقرأ أيضاً', 'طباعة']) {
      expect(result.article.body.map(blockText).some((t) => t.startsWith(chrome))).toBe(false)
    }
    expect(result.article.lead).toMatch(/^أعلنت الحكومة الفرنسية/)
    expect(result.article.body).toHaveLength(4)
    expect(result.warnings.filter((w) => w.includes('chrome'))).toHaveLength(4)
  })

  it('creates the unknown minister as a new person, named as the text names him', () => {
    expect(minister.jobTitle).toBe('وزير الخارجية الفرنسي')
    expect(minister._id).toMatch(/^person-[a-z0-9-]+$/)
    expect(minister.slug.current).toBe('جان-مارك-بيرتان')
    expect(minister).not.toHaveProperty('nameLatin')
    expect(result.documents).toContain(minister)
    expect(result.article.people?.map((r) => r._ref)).toEqual([minister._id])
  })

  it('attributes the statements: indirect after إن, direct in «», the continuation and «الوزير الفرنسي» to him', () => {
    expect(summary(result.quotes)).toEqual([
      [minister._id, 'indirect', 'بلاده ستستضيف مؤتمراً دولياً لدعم اللاجئين في الربيع المقبل بمشاركة أكثر من أربعين دولة'],
      [minister._id, 'direct', 'نريد أن نجمع المانحين حول خطة واضحة وقابلة للتنفيذ، لا حول وعود جديدة'],
      [minister._id, 'indirect', 'التمويل الحالي لا يكفي لتغطية الاحتياجات الأساسية في المخيمات'],
    ])
    expect(source).toContain(`«${result.quotes[1]?.text}»`)
  })

  it('leaves the editorial sentence unattributed', () => {
    expect(bodyText(result)).toContain('وتجدر الإشارة إلى أن فرنسا')
    expect(result.quotes.some((q) => q.text.includes('فرنسا استقبلت'))).toBe(false)
  })

  it('is well formed', () => expectWellFormed(result, source))
})

describe('a spokeswoman, “” and a closing-only ”, an organization statement, يذكر أن', () => {
  const {source, result} = load('spokeswoman')
  const spokeswoman = personNamed(result, 'ليلى حسن')
  const ngo = result.organizations.find((o) => o.name === 'منظمة الإغاثة الطبية الدولية')

  it('drops the social and back-to-top lines', () => {
    for (const chrome of ['تويتر', 'واتساب', 'العودة للأعلى']) expect(bodyText(result)).not.toContain(chrome)
    expect(result.article.body).toHaveLength(5)
  })

  it('creates the spokeswoman and the organization as new documents', () => {
    expect(spokeswoman.jobTitle).toBe('المتحدثة باسم وزارة الصحة')
    expect(ngo?._id).toMatch(/^organization-[a-z0-9-]+$/)
    expect(ngo?.kind).toBe('other')
    expect(result.documents.map((d) => d._id)).toContain(ngo?._id)
  })

  it('finds her statements: indirect, direct in “”, direct before a closing-only ”', () => {
    expect(summary(result.quotes.slice(0, 3))).toEqual([
      [spokeswoman._id, 'indirect', 'عدد الإصابات تراجع بنسبة عشرين في المئة خلال الأسبوع الماضي'],
      [spokeswoman._id, 'direct', 'الفرق الطبية تعمل على مدار الساعة في القرى البعيدة عن المراكز الصحية'],
      [spokeswoman._id, 'direct', 'الوقاية تبقى الطريق الأقصر لوقف انتشار المرض، ولا بديل عن حملات التلقيح المنتظمة في المدارس'],
    ])
    expect(source).toContain(`“${result.quotes[1]?.text}”`)
    expect(source).toContain(`وشددت على أن ${result.quotes[2]?.text}”`)
  })

  it('attributes the organization statement to the organization, not to the last person', () => {
    expect(summary(result.quotes.slice(3))).toEqual([
      [ngo?._id, 'indirect', 'فرقها وزعت أكثر من خمسة آلاف عبوة دواء في المحافظة'],
    ])
  })

  it('leaves «يذكر أن …» unattributed', () => {
    expect(result.quotes.some((q) => q.text.includes('الحملة بدأت'))).toBe(false)
    expect(result.quotes).toHaveLength(4)
  })

  it('is well formed', () => expectWellFormed(result, source))
})

describe('a known organization\'s statement in "", «البيان» continuing it, an attribution after the quote', () => {
  const {source, result} = load('statement')
  const sdf = 'organization-syrian-democratic-forces'
  const un = result.people.find((p) => p.name === 'فرانسوا دوبري')

  it('attributes the straight-quoted statement and «وأضاف البيان» to the known organization', () => {
    expect(summary(result.quotes.slice(0, 2))).toEqual([
      [sdf, 'direct', 'لن نسمح بعودة الخلايا النائمة إلى المدن المحررة مهما كانت التضحيات'],
      [sdf, 'indirect', 'الهجوم نفذته مجموعة من أربعة مسلحين تسللوا من الضفة الأخرى للنهر'],
    ])
    expect(source).toContain(`"${result.quotes[0]?.text}"`)
  })

  it('takes «…»، قال … as said by the person named after the quote, affiliated from the title', () => {
    expect(un?.jobTitle).toBe('المتحدث باسم الأمم المتحدة')
    expect(un?.affiliation?._ref).toBe('organization-united-nations')
    expect(summary(result.quotes.slice(2))).toEqual([[un?._id, 'direct', 'المدنيون هم أول من يدفع ثمن هذا التصعيد']])
    expect(result.organizations.map((o) => o._id)).toContain('organization-united-nations')
  })

  it('leaves «الجدير بالذكر …» unattributed and drops the chrome', () => {
    expect(result.quotes.some((q) => q.text.includes('المخيم يؤوي'))).toBe(false)
    expect(bodyText(result)).not.toContain('اظهر المزيد')
    expect(bodyText(result)).not.toContain('زر الذهاب')
  })

  it('is well formed', () => expectWellFormed(result, source))
})

describe('the fixtures together', () => {
  it('give the same documents on every run', () => {
    for (const name of ['minister', 'spokeswoman', 'statement']) expect(load(name).result).toEqual(load(name).result)
  })

  it('give a new person the same id in every article that names them the same way', () => {
    const a = importAgencyPage('عنوان\nمقدمة\nقال وزير الخارجية الفرنسي جان مارك بيرتان إن الاجتماع كان مثمراً جداً.', {
      entities: seedEntities,
    })
    const {result} = load('minister')
    expect(a.people.map((p) => p._id)).toEqual([personNamed(result, 'جان مارك بيرتان')._id])
  })
})
