// The words statement detection looks for: reporting verbs, complementizers, title and organization
// heads, editorial openers. Natural spelling here; folded when loaded.
import {foldKey, foldedSet, lightKey} from './arabic'


export type Bare = 'direct' | 'indirect' | 'none'

export interface VerbSpec {
  forms: readonly string[]
  /** What the words right after the verb (no complementizer) are. */
  bare: Bare
  /** Prepositions that introduce reported content after this verb. */
  preps?: readonly string[]
  /** Participles (قائلا …) take no subject: the speaker is the current one. */
  participle?: boolean
}

export const VERBS: readonly VerbSpec[] = [
  {forms: ['قال', 'قالت', 'قالوا', 'قالا', 'يقول', 'تقول', 'يقولون'], bare: 'direct'},
  {forms: ['أضاف', 'أضافت', 'أضافوا', 'أضافا', 'يضيف', 'تضيف'], bare: 'direct'},
  {forms: ['أردف', 'أردفت', 'استطرد', 'استطردت', 'تابع', 'تابعت', 'ختم', 'ختمت'], bare: 'none'},
  {forms: ['أكد', 'أكدت', 'أكدوا', 'أكدا', 'يؤكد', 'تؤكد'], bare: 'indirect', preps: ['على']},
  {forms: ['جدد', 'جددت', 'جددوا'], bare: 'indirect'},
  {forms: ['أعلن', 'أعلنت', 'أعلنوا', 'نفى', 'نفت', 'نفوا'], bare: 'indirect'},
  {forms: ['أشار', 'أشارت', 'أشاروا', 'يشير', 'تشير'], bare: 'none', preps: ['إلى', 'الى', 'لى']},
  {forms: ['لفت', 'لفتت', 'لفتوا'], bare: 'none', preps: ['إلى', 'الى', 'لى']},
  {forms: ['أوضح', 'أوضحت', 'أوضحوا', 'يوضح', 'توضح'], bare: 'none'},
  {forms: ['شدد', 'شددت', 'شددوا', 'يشدد', 'تشدد'], bare: 'none', preps: ['على']},
  {forms: ['صرح', 'صرحت', 'صرحوا', 'ذكر', 'ذكرت', 'اعتبر', 'اعتبرت', 'رأى', 'رأت', 'حذر', 'حذرت'], bare: 'none', preps: ['من']},
  {forms: ['قائلا', 'قائلاً', 'قائلة', 'قائلين', 'مضيفا', 'مضيفاً', 'مضيفة'], bare: 'direct', participle: true},
  {forms: ['مؤكدا', 'مؤكداً', 'مؤكدة'], bare: 'indirect', preps: ['على'], participle: true},
  {forms: ['مشددا', 'مشدداً', 'مشددة'], bare: 'none', preps: ['على'], participle: true},
  {forms: ['مشيرا', 'مشيراً', 'مشيرة', 'لافتا', 'لافتاً', 'لافتة'], bare: 'none', preps: ['إلى', 'الى', 'لى'], participle: true},
  {forms: ['موضحا', 'موضحاً', 'موضحة', 'معتبرا', 'معتبراً', 'معتبرة', 'محذرا', 'محذراً', 'محذرة'], bare: 'none', participle: true},
]

export interface FoldedVerb {
  bare: Bare
  preps: ReadonlySet<string>
  participle: boolean
}

export const VERB_INDEX: ReadonlyMap<string, FoldedVerb> = new Map(
  VERBS.flatMap((v) =>
    v.forms.map((f) => [foldKey(f), {bare: v.bare, preps: foldedSet(v.preps ?? []), participle: v.participle === true}] as const),
  ),
)
/** Folded reporting verbs and participles. */
export const VERB_KEYS: ReadonlySet<string> = new Set(VERB_INDEX.keys())

/** Complementizers after which the reported words start (the word itself is left out). */
export const COMPLEMENTIZERS = foldedSet(['أن', 'إن', 'بأن', 'بان'])
/** أنه، إنها، بأنهم …: the pronoun is the subject of the reported words, so the word is kept. */
export const ATTACHED_COMPLEMENTIZER = /^ب?ان(?:ه|ها|هم|هما|هن|نا|ني|ي|ك|كم)$/u

/** Words a speaker phrase may be followed by before the complementizer («في بيان»، «خلال مؤتمر»). */
export const CIRCUMSTANTIAL_STARTERS = foldedSet([
  'في', 'خلال', 'عبر', 'أمام', 'لدى', 'عقب', 'بعد', 'أثناء', 'ضمن', 'يوم', 'أمس', 'اليوم', 'من', 'مساء', 'صباح',
  'حول', 'بشأن', 'ردا', 'رداً', 'تعليقا', 'تعليقاً', 'بدوره', 'بدورها', 'من جهته', 'بحسب', 'وفق',
])
export const CIRCUMSTANTIAL_WINDOW = 7

/** Heads of job titles: «وزير الخارجية الفرنسي …», «المتحدثة باسم …». */
export const TITLE_HEADS = foldedSet(
  [
    'وزير', 'وزيرة', 'رئيس', 'رئيسة', 'نائب', 'نائبة', 'مدير', 'مديرة', 'متحدث', 'متحدثة', 'ناطق', 'ناطقة', 'سفير',
    'سفيرة', 'مبعوث', 'مبعوثة', 'ممثل', 'ممثلة', 'مسؤول', 'مسؤولة', 'قائد', 'قائدة', 'عضو', 'محافظ', 'محافظة', 'مستشار',
    'مستشارة', 'أمين', 'أمينة', 'منسق', 'منسقة', 'مفوض', 'مفوضة', 'زعيم', 'زعيمة', 'رئيسة', 'الرئيس', 'الرئيسة',
  ].flatMap((w) => [w, `ال${w}`]),
)
/** Nouns that take one more word in a title or organization name («رئيس مجلس الوزراء»). */
export const CHAIN_NOUNS = foldedSet([
  'وزراء', 'وزارة', 'مجلس', 'هيئة', 'لجنة', 'منظمة', 'حكومة', 'خارجية', 'داخلية', 'دفاع', 'مكتب', 'إدارة', 'حزب', 'حركة',
])
/** Heads of organization names: «وزارة الصحة»، «منظمة الإغاثة الدولية». */
export const ORG_HEADS = foldedSet(
  [
    'وزارة', 'منظمة', 'حكومة', 'هيئة', 'مجلس', 'قوات', 'حزب', 'جمعية', 'وكالة', 'لجنة', 'مفوضية', 'رئاسة', 'قيادة', 'إدارة',
    'شرطة', 'جيش', 'برلمان', 'حركة', 'جبهة', 'مرصد', 'مكتب', 'اتحاد', 'بلدية', 'محكمة', 'نقابة', 'شركة', 'سفارة', 'مؤسسة',
    'تحالف', 'الأمم', 'منظمات',
  ].flatMap((w) => [w, `ال${w}`]),
)
/** Words that end a personal name after a title (compared lightly folded: على is not علي). */
export const NAME_STOP: ReadonlySet<string> = new Set([
  'الأحد', 'الاثنين', 'الإثنين', 'الثلاثاء', 'الأربعاء', 'الخميس', 'الجمعة', 'السبت', 'الماضي', 'الحالي', 'المقبل',
  'صباح', 'مساء', 'ظهر', 'الليلة', 'الليل', 'الصباح', 'المساء',
  'في', 'خلال', 'أن', 'إن', 'بأن', 'إلى', 'الى', 'لى', 'على', 'عن', 'مع', 'يوم', 'أمس', 'اليوم', 'قد', 'قبل', 'بعد', 'لدى',
  'أمام', 'عبر', 'حول', 'ضمن', 'من', 'إنه', 'أنه', 'كما', 'أيضا', 'أيضاً', 'بدوره', 'بدورها', 'ما', 'لا', 'لم', 'لن', 'هذا',
  'هذه', 'التي', 'الذي', 'بيان', 'تصريح', 'تصريحات', 'مؤتمر', 'حديث', 'لقاء', 'مقابلة', 'وقال', 'وأضاف', 'بشأن', 'منذ',
].map(lightKey))
/** «وأضاف البيان أن …»: the statement speaks for whoever issued it. */
export const DOCUMENT_NOUNS = foldedSet(['البيان', 'التقرير', 'الرسالة', 'التصريح'])

/** Words that join what follows rather than end a statement: trimmed from a quote's end. */
export const TRAILING_CONNECTIVES = foldedSet(['و', 'كما', 'ثم', 'حيث', 'فيما', 'بينما'])

/** Sentences in the outlet's own voice start with these (after an optional و/ف). */
export const EDITORIAL_OPENERS: readonly (readonly string[])[] = [
  ['الجدير', 'بالذكر'],
  ['جدير', 'بالذكر'],
  ['من', 'الجدير'],
  ['تجدر', 'الإشارة'],
  ['تجدر'],
  ['يذكر'],
  ['يشار'],
  ['للإشارة'],
  ['للعلم'],
  ['مع', 'العلم'],
].map((words) => words.map(foldKey))
