// Deterministic synthetic newsroom data for the benchmark: articles, people and quotes in the
// proportions 1 : 0.05 : 5, shaped as in notes/model.md, with Arabic-ish text and unique slugs.
import type {ArticleDoc, Block, KeyedReference, MarkDef, PersonDoc, QuoteDoc, Span} from '../src/content/types'

export type BenchDoc = ArticleDoc | PersonDoc | QuoteDoc

export interface Dataset {
  size: number
  people: PersonDoc[]
  articles: ArticleDoc[]
  quotes: QuoteDoc[]
  /**
   * Documents in load order, grouped so that a group never has to be split across transactions:
   * all people first (one group each), then each article together with its quotes (the body's quote
   * annotations and the quotes' `article` field reference each other, both strong references).
   */
  groups: BenchDoc[][]
  /** Parameter values for the measured queries, picked from the middle of the data. */
  sample: {slug: string; id: string; speakerId: string}
}

/** mulberry32: small, fast, good enough for test data, and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Words taken from the seed article (seed/), so the text has realistic Arabic letters and lengths.
const WORDS = [
  'الولايات', 'المتحدة', 'ستجدد', 'جهودها', 'للتوصل', 'لتسوية', 'سياسية', 'تنهي', 'الحرب', 'سوريا', 'أوضح', 'المتحدث',
  'باسم', 'الخارجية', 'الأميركية', 'داعش', 'لايزال', 'يشكل', 'تهديداً', 'خطيراً', 'ويستفيد', 'حالة', 'عدم', 'الاستقرار',
  'البلاد', 'مؤكدا', 'منع', 'عودة', 'ظهوره', 'يتطلب', 'مشاركة', 'أمريكية', 'متجددة', 'شركائها', 'التحالف', 'الدولي',
  'كما', 'وأثنى', 'على', 'الإجراءات', 'التي', 'اتخذتها', 'قوات', 'الديمقراطية', 'أثناء', 'هجوم', 'سجن', 'الصناعة',
  'خلال', 'لقاء', 'وكالة', 'أنباء', 'تصريحات', 'حول', 'تطورات', 'الأوضاع', 'السورية', 'والمخاوف', 'نشاط', 'الإرهاب',
  'بعد', 'الهجوم', 'الأخير', 'أشار', 'سعي', 'لتجديد', 'بالتشاور', 'الوثيق', 'حلفائها', 'والأمم', 'وأضاف', 'أنهم',
  'سيستخدمون', 'الأدوات', 'المتاحة', 'بما', 'ذلك', 'الضغط', 'الاقتصادي', 'للدفع', 'باتجاه', 'الإصلاح', 'الهادف',
  'والمساءلة', 'ومواصلة', 'دعم', 'دور', 'الأمم', 'التفاوض', 'تسوية', 'يتماشى', 'قرار', 'مجلس', 'الأمن', 'رقم', 'نحث',
  'كافة', 'الدول', 'تطوير', 'علاقاتها', 'دمشق', 'وجدد', 'المسؤول', 'موقف', 'بلاده', 'الرافض', 'العربية', 'قائلا',
  'العمل', 'الدبلوماسية', 'تعاونها', 'حكومة', 'قبل', 'تلبية', 'المعايير', 'المنصوص', 'عليها', 'شريك', 'عسكري',
  'مقتدر', 'وملتزم', 'تصاعد', 'أكد', 'مشددا', 'لهزيمة', 'زالت', 'الحصة', 'الكبرى', 'القتال', 'الميداني', 'محاربة',
  'حراسة', 'عشرات', 'الآلاف', 'المحتجزين', 'بدون', 'السريعة',
]
const FIRST_NAMES: ReadonlyArray<[string, string]> = [
  ['أحمد', 'Ahmad'], ['محمد', 'Mohammad'], ['فاطمة', 'Fatima'], ['خالد', 'Khaled'], ['ليلى', 'Layla'], ['يوسف', 'Yusuf'],
  ['مريم', 'Maryam'], ['عمر', 'Omar'], ['سارة', 'Sara'], ['حسن', 'Hassan'], ['نور', 'Nour'], ['علي', 'Ali'],
  ['زينب', 'Zaynab'], ['كريم', 'Karim'], ['هدى', 'Huda'], ['سامر', 'Samer'],
]
const LAST_NAMES: ReadonlyArray<[string, string]> = [
  ['الأحمد', 'al-Ahmad'], ['الحسن', 'al-Hassan'], ['إبراهيم', 'Ibrahim'], ['الخطيب', 'al-Khatib'], ['يوسف', 'Yousef'],
  ['العلي', 'al-Ali'], ['منصور', 'Mansour'], ['حداد', 'Haddad'], ['الشامي', 'al-Shami'], ['درويش', 'Darwish'],
  ['سليمان', 'Suleiman'], ['نصر', 'Nasr'],
]
const JOB_TITLES = ['المتحدث باسم الخارجية', 'وزير الدفاع', 'قائد ميداني', 'مسؤول محلي', 'محلل سياسي', 'مديرة المنظمة']
const SUBJECTS = ['سوريا', 'الحسكة', 'دمشق', 'الإرهاب', 'الدبلوماسية', 'الاقتصاد', 'السجون', 'التحالف الدولي']
const PUBLISHED_FROM = Date.UTC(2023, 0, 1)
const PUBLISHED_SPAN_MS = 2 * 365 * 24 * 3600 * 1000

/** Splits `size` documents into articles, people and quotes as 1 : 0.05 : 5. */
export function proportions(size: number): {articles: number; people: number; quotes: number} {
  const articles = Math.max(1, Math.round(size / 6.05))
  const people = Math.max(1, Math.round(articles * 0.05))
  return {articles, people, quotes: Math.max(0, size - articles - people)}
}

class Generator {
  private readonly random: () => number
  private keyCounter = 0

  constructor(seed: number) {
    this.random = prng(seed)
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1))
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T
  }

  words(min: number, max: number): string {
    const n = this.int(min, max)
    const out: string[] = []
    for (let i = 0; i < n; i++) out.push(this.pick(WORDS))
    return out.join(' ')
  }

  /** Array `_key`s: unique within the dataset, deterministic. */
  key(): string {
    return `k${(this.keyCounter++).toString(36)}`
  }

  /** Distinct items from `items`, in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = items.slice()
    const out: T[] = []
    while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(this.random() * copy.length), 1)[0] as T)
    return out
  }
}

const ref = (id: string): {_type: 'reference'; _ref: string} => ({_type: 'reference', _ref: id})

function makePeople(g: Generator, count: number): PersonDoc[] {
  const people: PersonDoc[] = []
  for (let i = 0; i < count; i++) {
    const [first, firstLatin] = g.pick(FIRST_NAMES)
    const [last, lastLatin] = g.pick(LAST_NAMES)
    const latinSlug = `${firstLatin}-${lastLatin}`.toLowerCase().replace(/[^a-z0-9-]/g, '')
    people.push({
      _id: `person-${latinSlug}-${i}`,
      _type: 'person',
      name: `${first} ${last}`,
      nameLatin: `${firstLatin} ${lastLatin}`,
      slug: {_type: 'slug', current: `${first}-${last}-${i}`.replace(/ /g, '-')},
      jobTitle: g.pick(JOB_TITLES),
      aliases: [last],
    })
  }
  return people
}

/** How many quotes each article gets: `total` spread over `articles`, varying between neighbours. */
function quoteCounts(g: Generator, articles: number, total: number): number[] {
  const base = Math.floor(total / articles)
  const counts = new Array<number>(articles).fill(base)
  for (let i = 0; i < total - base * articles; i++) counts[i] = (counts[i] ?? 0) + 1
  for (let i = 0; i + 1 < articles; i += 2) {
    const move = g.int(0, Math.min(3, counts[i + 1] ?? 0))
    counts[i] = (counts[i] ?? 0) + move
    counts[i + 1] = (counts[i + 1] ?? 0) - move
  }
  return counts
}

interface Paragraph {
  block: Block
  text: string
}

/** A paragraph with optional mention and quote annotations; `quoted` texts become annotated spans. */
function paragraph(g: Generator, mentions: PersonDoc[], quoted: Array<{id: string; text: string}>): Paragraph {
  const markDefs: MarkDef[] = []
  const children: Span[] = []
  const span = (text: string, marks: string[] = []): void => {
    children.push({_type: 'span', _key: g.key(), text, marks})
  }
  span(g.words(6, 14) + ' ')
  for (const person of mentions) {
    const markKey = g.key()
    markDefs.push({_key: markKey, _type: 'mention', target: ref(person._id)})
    span(person.name, [markKey])
    span(' ' + g.words(4, 10) + ' ')
  }
  for (const quote of quoted) {
    const markKey = g.key()
    markDefs.push({_key: markKey, _type: 'quote', quote: ref(quote.id)})
    span('«')
    span(quote.text, [markKey])
    span('» ' + g.words(3, 8) + ' ')
  }
  span(g.words(5, 12) + '.')
  return {block: {_type: 'block', _key: g.key(), style: 'normal', markDefs, children}, text: children.map((c) => c.text).join('')}
}

function makeArticle(g: Generator, index: number, people: PersonDoc[], quoteCount: number): {article: ArticleDoc; quotes: QuoteDoc[]} {
  const key = index.toString(36).padStart(5, '0')
  const id = `article-b${key}`
  const mentioned = g.sample(people, g.int(1, Math.min(4, people.length)))
  const quoteTexts = Array.from({length: quoteCount}, (_, n) => ({id: `quote-b${key}-${n + 1}`, text: g.words(8, 25)}))

  const paragraphs: Paragraph[] = []
  const paragraphCount = 5
  for (let p = 0; p < paragraphCount; p++) {
    const mentions = mentioned.filter((_, i) => i % paragraphCount === p)
    const quoted = quoteTexts.filter((_, i) => i % paragraphCount === p)
    paragraphs.push(paragraph(g, mentions, quoted))
  }
  const subheading = g.words(3, 6)
  const body: Block[] = [
    ...paragraphs.slice(0, 3).map((p) => p.block),
    {_type: 'block', _key: g.key(), style: 'h2', markDefs: [], children: [{_type: 'span', _key: g.key(), text: subheading, marks: []}]},
    ...paragraphs.slice(3).map((p) => p.block),
  ]
  const headline = g.words(6, 10)
  const lead = g.words(18, 30)
  const article: ArticleDoc = {
    _id: id,
    _type: 'article',
    headline,
    lead,
    slug: {_type: 'slug', current: `${headline.split(' ').slice(0, 4).join('-')}-${index}`},
    language: 'ar',
    body,
    byline: 'وكالة أنباء هاوار',
    publishedAt: new Date(PUBLISHED_FROM + Math.floor(g.int(0, 1_000_000) * (PUBLISHED_SPAN_MS / 1_000_000))).toISOString(),
    subjects: g.sample(SUBJECTS, g.int(1, 3)),
    people: mentioned.map((person): KeyedReference => ({...ref(person._id), _key: g.key()})),
    sourceText: [headline, lead, ...paragraphs.slice(0, 3).map((p) => p.text), subheading, ...paragraphs.slice(3).map((p) => p.text)].join('\n\n'),
  }
  const quotes: QuoteDoc[] = quoteTexts.map((q, n) => ({
    _id: q.id,
    _type: 'quote',
    text: q.text,
    speaker: ref((mentioned[n % mentioned.length] as PersonDoc)._id),
    kind: n % 3 === 0 ? 'indirect' : 'direct',
    article: ref(id),
    blockKey: (paragraphs[n % paragraphCount] as Paragraph).block._key,
    language: 'ar',
    subjects: article.subjects,
  }))
  return {article, quotes}
}

/** Where the sample parameter values come from: the middle article, quote and person. */
export interface Sample {
  slug: string
  id: string
  speakerId: string
  /** Slug of that person (for the site's person page). */
  speakerSlug: string
  /** A word of the sample article's headline, for `headline match $q`. */
  word: string
}

/**
 * The documents group by group, without holding more than one group (plus the people) at a
 * time, so that a million documents can be generated and sent. `sample` is complete once the
 * generator has run to its end. generateDataset() keeps them all; both give the same documents.
 */
export function streamDataset(size: number, seed = 20250219): {counts: {articles: number; people: number; quotes: number}; sample: Sample; groups: Iterable<BenchDoc[]>} {
  const g = new Generator(seed ^ size)
  const counts = proportions(size)
  const people = makePeople(g, counts.people)
  const perArticle = quoteCounts(g, counts.articles, counts.quotes)
  const middlePerson = people[Math.floor(people.length / 2)] as PersonDoc
  const sample: Sample = {slug: '', id: '', speakerId: middlePerson._id, speakerSlug: middlePerson.slug.current, word: ''}
  const middleArticle = Math.floor(counts.articles / 2)
  const middleQuote = Math.floor(counts.quotes / 2)
  function* groups(): IterableIterator<BenchDoc[]> {
    for (const person of people) yield [person]
    let quotesBefore = 0
    for (let i = 0; i < counts.articles; i++) {
      const made = makeArticle(g, i, people, perArticle[i] ?? 0)
      if (i === middleArticle) {
        sample.slug = made.article.slug.current
        sample.word = made.article.headline.split(' ')[0] as string
        if (counts.quotes === 0) sample.id = made.article._id
      }
      const q = middleQuote - quotesBefore
      if (q >= 0 && q < made.quotes.length) sample.id = (made.quotes[q] as QuoteDoc)._id
      quotesBefore += made.quotes.length
      yield [made.article, ...made.quotes]
    }
  }
  return {counts, sample, groups: {[Symbol.iterator]: groups}}
}

/** The same `size` always gives the same documents. */
export function generateDataset(size: number, seed = 20250219): Dataset {
  const stream = streamDataset(size, seed)
  const people: PersonDoc[] = []
  const articles: ArticleDoc[] = []
  const quotes: QuoteDoc[] = []
  const groups: BenchDoc[][] = []
  for (const group of stream.groups) {
    groups.push(group)
    for (const doc of group) {
      if (doc._type === 'person') people.push(doc)
      else if (doc._type === 'article') articles.push(doc)
      else quotes.push(doc)
    }
  }
  const {slug, id, speakerId} = stream.sample
  return {size, people, articles, quotes, groups, sample: {slug, id, speakerId}}
}

/** Groups packed into transactions of about `batchSize` documents (a group is never split). */
export function batches(groups: readonly BenchDoc[][], batchSize: number): BenchDoc[][] {
  const out: BenchDoc[][] = []
  let current: BenchDoc[] = []
  for (const group of groups) {
    if (current.length > 0 && current.length + group.length > batchSize) {
      out.push(current)
      current = []
    }
    current.push(...group)
  }
  if (current.length > 0) out.push(current)
  return out
}
