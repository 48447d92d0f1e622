// The rules issue 13 added, each on text written for the test: open speaker detection, continuation
// verbs and their agreement, headline formulas, page anatomy (chrome kinds, dates, datelines, the
// source outlet), confidence and review.
import {describe, expect, it} from 'vitest'
import {readAnatomy} from '../src/importer/anatomy'
import {findDate, isRelativeDate} from '../src/importer/dates'
import {importAgencyPage, type ImportResult} from '../src/importer/importer'
import {chromeVerdict} from '../src/importer/page'
import {splitDateline, sourceCredit} from '../src/importer/outlet'
import {agreementOf} from '../src/importer/vocabulary'
import {expectWellFormed} from './helpers/importer'

const NONE = {people: [], organizations: []}
const run = (text: string): ImportResult => importAgencyPage(text, {entities: NONE, sourceKey: 'rules'})
const speakerName = (r: ImportResult, quoteText: string): string | undefined => {
  const q = r.quotes.find((x) => x.text === quoteText)
  return [...r.people, ...r.organizations].find((d) => d._id === q?.speaker._ref)?.name
}
const texts = (r: ImportResult): string[] => r.quotes.map((q) => q.text)

describe('open speaker detection', () => {
  it('creates a speaker from a title and a name, from a bare name with a title in apposition, and from an organization', () => {
    const r = run(
      [
        'عنوان تجريبي عن الموازنة الجديدة',
        'قال وزير المالية سامر حداد إن العجز سينخفض هذا العام.',
        'وقال نادر سليم، وزير الاقتصاد في الحكومة: "الأسواق ستستقر قريبا جدا".',
        'وأكدت وزارة الصحة أن المستشفيات جاهزة لاستقبال المرضى.',
      ].join('\n'),
    )
    expect(speakerName(r, 'العجز سينخفض هذا العام')).toBe('سامر حداد')
    expect(r.people.find((p) => p.name === 'سامر حداد')?.jobTitle).toBe('وزير المالية')
    expect(speakerName(r, 'الأسواق ستستقر قريبا جدا')).toBe('نادر سليم')
    expect(r.people.find((p) => p.name === 'نادر سليم')?.jobTitle).toBe('وزير الاقتصاد')
    expect(speakerName(r, 'المستشفيات جاهزة لاستقبال المرضى')).toBe('وزارة الصحة')
    expectWellFormed(r, r.article.sourceText)
  })

  it('matches a surname to the person named in full before, even a definite one («الخزعلي»)', () => {
    const r = run(
      [
        'عنوان تجريبي عن الانتخابات المقبلة',
        'زار رئيس الهيئة فارس الكعبي مدينة البصرة أمس.',
        'وقال الكعبي في مؤتمر صحفي إن الاستعدادات اكتملت في كل المراكز.',
      ].join('\n'),
    )
    expect(speakerName(r, 'الاستعدادات اكتملت في كل المراكز')).toBe('فارس الكعبي')
  })

  it('takes a participle clause for the subject of its sentence, whatever the main verb', () => {
    const r = run(['عنوان تجريبي عن الحدود', 'وفي أول ظهور له، أدان وزير الدفاع الجديد، كريم منصور، الهجوم، مؤكدا أن الجيش سيرد بحزم.'].join('\n'))
    expect(speakerName(r, 'الجيش سيرد بحزم')).toBe('كريم منصور')
  })

  it('reads «ونقلت الوكالة عن الوزير قوله …» as the minister speaking', () => {
    const r = run(['عنوان تجريبي عن المياه', 'ونقلت وكالة الأنباء عن وزير الري هاني سعد قوله إن «المخزون يكفي حتى الصيف المقبل».'].join('\n'))
    expect(speakerName(r, 'المخزون يكفي حتى الصيف المقبل')).toBe('هاني سعد')
  })

  it('does not take an outlet or agency name in quote marks for a quotation', () => {
    const r = run(['عنوان تجريبي عن الخبر', 'وقال الوزير رامي خالد لـ«الوكالة الوطنية للإعلام» إن الخبر غير صحيح.'].join('\n'))
    expect(texts(r)).toEqual(['الخبر غير صحيح'])
  })
})

describe('continuations and agreement', () => {
  it('carries «وأضاف», «وأوضح أن», «مشدداً على» across paragraphs to the last speaker', () => {
    const r = run(
      [
        'عنوان تجريبي عن التعليم',
        'قال وزير التربية سليم عواد إن المدارس ستفتح في موعدها.',
        'وأضاف أن الكتب وصلت إلى كل المحافظات، مشدداً على أن المعلمين سيحصلون على رواتبهم كاملة.',
        'وأوضح أن الامتحانات لن تتأجل.',
      ].join('\n'),
    )
    for (const t of ['الكتب وصلت إلى كل المحافظات', 'المعلمين سيحصلون على رواتبهم كاملة', 'الامتحانات لن تتأجل']) {
      expect(speakerName(r, t), t).toBe('سليم عواد')
    }
    // the paragraph that names him is surer than the later ones carried to him
    expect(r.quotes.map((q) => [q.text, q.extraction?.cue, q.extraction?.confidence])).toEqual([
      ['المدارس ستفتح في موعدها', 'قال', 0.9],
      ['الكتب وصلت إلى كل المحافظات', 'وأضاف', 0.75],
      ['المعلمين سيحصلون على رواتبهم كاملة', 'مشدداً', 0.75],
      ['الامتحانات لن تتأجل', 'وأوضح', 0.75],
    ])
  })

  it('gives a feminine continuation to the woman speaking, not to the man named last', () => {
    const r = run(
      [
        'عنوان تجريبي عن الصحة',
        'قالت وزيرة الصحة ليلى حسن إن اللقاح متوفر.',
        'وقال مدير المستشفى سامي رضا إن الأسرّة كافية.',
        'وأضافت أن الحملة ستستمر شهرا كاملا.',
      ].join('\n'),
    )
    expect(speakerName(r, 'الحملة ستستمر شهرا كاملا')).toBe('ليلى حسن')
  })

  it('knows the agreement each verb form shows', () => {
    expect(agreementOf('قالت')).toBe('f')
    expect(agreementOf('اضافوا')).toBe('p')
    expect(agreementOf('قال')).toBe('m')
    expect(agreementOf('مشدده')).toBe('f')
    expect(agreementOf('لفت')).toBe('m')
  })

  it('gives a statement before anyone is named to the speaker of the headline formula', () => {
    const r = run(['وزير المالية: لا ضرائب جديدة هذا العام', 'وأضاف أن الحكومة ستخفض الإنفاق على المشاريع الجديدة.'].join('\n'))
    expect(speakerName(r, 'الحكومة ستخفض الإنفاق على المشاريع الجديدة')).toBe('وزير المالية')
    expect(r.quotes[0]?.review?.needed).toBe(true)
  })
})

describe('page anatomy', () => {
  const page = [
    'الرئيسية',
    'سياسة',
    'الحكومة تقر خطة جديدة لدعم المزارعين',
    'منذ ٣٨ دقيقة',
    'كتب - أحمد علي',
    'بغداد - شفق نيوز',
    'أقرت الحكومة، اليوم، خطة لدعم المزارعين في المحافظات الجنوبية.',
    'وقال المتحدث باسم الحكومة سالم جواد إن الخطة تشمل قروضا ميسرة.',
    'المشاهدات: 1200',
    'Advertisement',
    'شارك برأيك',
    'نسخ الرابط',
    'كلمات دلالية: الزراعة، الحكومة',
    'اقرأ أيضاً',
    'الحكومة تبحث أسعار الأسمدة مع التجار',
  ].join('\n')
  const anatomy = readAnatomy(page)

  it('finds the headline past section names and a relative date, and drops each chrome line with a reason', () => {
    expect(anatomy.headline.text).toBe('الحكومة تقر خطة جديدة لدعم المزارعين')
    const kind = (n: number): string | undefined => anatomy.decisions.find((d) => d.lineNumber === n)?.kind
    expect(kind(1)).toBe('navigation')
    expect(kind(2)).toBe('label')
    expect(kind(4)).toBe('date')
    expect(kind(5)).toBe('byline')
    expect(kind(6)).toBe('dateline')
    expect(kind(9)).toBe('views')
    expect(kind(10)).toBe('advertisement')
    expect(kind(11)).toBe('comments')
    expect(kind(12)).toBe('controls')
    expect(kind(13)).toBe('tags')
    expect(kind(15)).toBe('related')
    for (const d of anatomy.decisions.filter((x) => x.role === 'chrome')) expect(d.reason.length).toBeGreaterThan(5)
    expect(anatomy.byline).toBe('كتب - أحمد علي')
    expect(anatomy.dateline).toMatchObject({place: 'بغداد', outlet: 'شفق نيوز'})
  })

  it('keeps the statements in the body and credits the outlet from the dateline', () => {
    const r = run(page)
    expect(r.article.lead).toBe('أقرت الحكومة، اليوم، خطة لدعم المزارعين في المحافظات الجنوبية.')
    expect(r.article.body.map((b) => b.children.map((s) => s.text).join(''))).toEqual([
      'وقال المتحدث باسم الحكومة سالم جواد إن الخطة تشمل قروضا ميسرة.',
    ])
    expect(texts(r)).toEqual(['الخطة تشمل قروضا ميسرة'])
    const outlet = r.organizations.find((o) => o._id === r.article.sourceAgency?._ref)
    expect(outlet).toMatchObject({name: 'شفق نيوز', kind: 'newsAgency'})
    expect(r.warnings.filter((w) => w.includes('page chrome dropped'))).toHaveLength(12)
  })

  it('reads «المصدر: …» for the outlet, and leaves it unset (with a warning) when the page names none', () => {
    expect(sourceCredit('المصدر: صدى البلد')).toBe('صدى البلد')
    expect(sourceCredit('وإذا قمت برعاية الإرهاب فسيأتي يوم. المصدر/ A.A')).toBe('A.A')
    const credited = run('عنوان تجريبي عن المطر\nهطلت أمطار غزيرة على العاصمة.\nالمصدر: صحيفة الوطن')
    expect(credited.organizations.find((o) => o._id === credited.article.sourceAgency?._ref)?.name).toBe('صحيفة الوطن')
    const unknown = run('عنوان تجريبي عن المطر\nهطلت أمطار غزيرة على العاصمة.')
    expect(unknown.article.sourceAgency).toBeUndefined()
    expect(unknown.warnings.some((w) => w.includes('none found on the page'))).toBe(true)
  })

  it('reads datelines either way round', () => {
    expect(splitDateline('عمان-سانا')).toEqual({place: 'عمان', outlet: 'سانا'})
    expect(splitDateline('شفق نيوز- بغداد')).toEqual({place: 'بغداد', outlet: 'شفق نيوز'})
    expect(splitDateline('قال الوزير - في بيان - إن')).toBeUndefined()
  })

  it('makes a headline from the first sentence when the page has no headline line, and says so', () => {
    const r = run('قال وزير النقل فادي ناصر، اليوم، إن الطريق الجديد سيفتح الشهر المقبل بعد انتهاء الأعمال.\nوأضاف أن الكلفة بلغت مليون دينار.')
    expect(r.article.headline).toBe('قال وزير النقل فادي ناصر')
    expect(r.warnings.some((w) => w.includes('no headline line'))).toBe(true)
    expect(texts(r)).toContain('الطريق الجديد سيفتح الشهر المقبل بعد انتهاء الأعمال')
  })
})

describe('dates', () => {
  it('reads Arabic-Indic digits, Egyptian and Levantine month names, and numeric forms', () => {
    expect(findDate('الاثنين ٢ اكتوبر ٢٠١٧')?.value).toBe('2017-10-02')
    expect(findDate('نشر بتاريخ: ٢٤ كانون الأول ٢٠٢٥')?.value).toBe('2025-12-24')
    expect(findDate('الثلاثاء 30 أبريل 2024')?.value).toBe('2024-04-30')
    expect(findDate('11-09-2025 | 12:12')?.value).toBe('2025-09-11T12:12')
    expect(findDate('2016-05-11 | 10:05 GMT')?.value).toBe('2016-05-11T10:05Z')
    expect(findDate('11-09-2025 | 09:53 م +03:00')?.value).toBe('2025-09-11T21:53+03:00')
    expect(findDate('قال الوزير إن المشروع سينتهي قريبا')).toBeUndefined()
  })

  it('takes «منذ ٣٨ دقيقة» for chrome, not a date (it needs the clock of the visit)', () => {
    expect(isRelativeDate('منذ ٣٨ دقيقة')).toBe(true)
    expect(isRelativeDate('منذ 47 دقيقة|')).toBe(true)
    expect(isRelativeDate('منذ سنوات طويلة والبلاد تعاني من الأزمة')).toBe(false)
    expect(chromeVerdict('منذ ٣٨ دقيقة')?.kind).toBe('date')
  })

  it('sets publishedAt with the time zone the page states, and none when it states no date', () => {
    const dated = run('عنوان تجريبي عن الطقس\n٢٤ كانون الأول ٢٠٢٥ 10:30 GMT+2\nهطلت أمطار غزيرة على العاصمة.')
    expect(dated.article.publishedAt).toBe('2025-12-24T10:30:00+02:00')
    expect(run('عنوان تجريبي عن الطقس\nهطلت أمطار غزيرة على العاصمة.').article).not.toHaveProperty('publishedAt')
  })
})

describe('confidence and review', () => {
  it('records the cue and a confidence on every quote, and marks low ones for review', () => {
    // A feminine verb after a man: carried to him, but unsure.
    const r = run(['عنوان تجريبي عن السوق', 'قال وزير التجارة مازن عيسى إن الأسعار مستقرة.', 'وأضافت أن الحكومة تدرس دعم الخبز والوقود.'].join('\n'))
    expect(r.quotes.map((q) => [q.text, q.extraction, q.review])).toEqual([
      ['الأسعار مستقرة', {cue: 'قال', confidence: 0.9, basis: 'a title and a name'}, undefined],
      [
        'الحكومة تدرس دعم الخبز والوقود',
        {cue: 'وأضافت', confidence: 0.5, basis: 'the last speaker, though the verb does not agree'},
        {needed: true, reason: 'low-confidence attribution (0.5): the last speaker, though the verb does not agree'},
      ],
    ])
    expect(speakerName(r, 'الحكومة تدرس دعم الخبز والوقود')).toBe('مازن عيسى')
  })
})
