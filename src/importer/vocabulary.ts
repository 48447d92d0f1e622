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
  {forms: ['قال', 'قالت', 'قالوا', 'قالا', 'قالتا', 'يقول', 'تقول', 'يقولون'], bare: 'direct'},
  {forms: ['أضاف', 'أضافت', 'أضافوا', 'أضافا', 'يضيف', 'تضيف'], bare: 'direct'},
  {forms: ['أردف', 'أردفت', 'أردفوا', 'استطرد', 'استطردت', 'تابع', 'تابعت', 'تابعوا', 'ختم', 'ختمت', 'أكمل', 'أكملت', 'استكمل', 'استكملت', 'واصل', 'واصلت'], bare: 'none'},
  {forms: ['أكد', 'أكدت', 'أكدوا', 'أكدا', 'يؤكد', 'تؤكد'], bare: 'indirect', preps: ['على']},
  {forms: ['جدد', 'جددت', 'جددوا'], bare: 'indirect'},
  {forms: ['أعلن', 'أعلنت', 'أعلنوا', 'نفى', 'نفت', 'نفوا'], bare: 'indirect'},
  {forms: ['أشار', 'أشارت', 'أشاروا', 'يشير', 'تشير'], bare: 'none', preps: ['إلى', 'الى', 'لى']},
  {forms: ['لفت', 'لفتت', 'لفتوا'], bare: 'none', preps: ['إلى', 'الى', 'لى']},
  {forms: ['أوضح', 'أوضحت', 'أوضحوا', 'يوضح', 'توضح', 'بينت', 'أفاد', 'أفادت', 'كشف', 'كشفت', 'خاطب', 'خاطبت'], bare: 'none'},
  {forms: ['شدد', 'شددت', 'شددوا', 'يشدد', 'تشدد'], bare: 'none', preps: ['على']},
  {forms: ['صرح', 'صرحت', 'صرحوا', 'ذكر', 'ذكرت', 'اعتبر', 'اعتبرت', 'رأى', 'رأت', 'حذر', 'حذرت'], bare: 'none', preps: ['من']},
  {forms: ['قائلا', 'قائلاً', 'قائلة', 'قائلين', 'مضيفا', 'مضيفاً', 'مضيفة', 'مضيفين'], bare: 'direct', participle: true},
  {forms: ['مؤكدا', 'مؤكداً', 'مؤكدة', 'مؤكدين'], bare: 'indirect', preps: ['على'], participle: true},
  {forms: ['مشددا', 'مشدداً', 'مشددة', 'مشددين', 'مجددا', 'مجدداً', 'مجددة'], bare: 'none', preps: ['على'], participle: true},
  {forms: ['مشيرا', 'مشيراً', 'مشيرة', 'لافتا', 'لافتاً', 'لافتة'], bare: 'none', preps: ['إلى', 'الى', 'لى'], participle: true},
  {forms: ['موضحا', 'موضحاً', 'موضحة', 'معتبرا', 'معتبراً', 'معتبرة', 'محذرا', 'محذراً', 'محذرة', 'مبينا', 'مبيناً', 'مبينة', 'مردفا', 'مردفاً', 'متابعا', 'متابعاً'], bare: 'none', participle: true},
  // «ونقلت الوكالة عن الوزير قوله إن …»: the speaker is named after «عن», before the cue
  {forms: ['قوله', 'قولها', 'قولهم', 'قولهما'], bare: 'direct', participle: true},
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
/** «قوله/قولها»: the speaker is the one named after «عن» before it. */
export const QUOTING_NOUNS = foldedSet(['قوله', 'قولها', 'قولهم', 'قولهما'])

/** Gender and number a (folded, conjunction-free) verb form shows: قالت → f, قالوا → p, قال → m. */
export function agreementOf(verbKey: string): 'm' | 'f' | 'p' {
  const k = verbKey
  if (/(?:وا|ين|هم|هما)$/u.test(k) || ['قالا', 'اضافا', 'اكدا', 'قالتا'].includes(k)) return 'p'
  if (k === 'قوله' || k === 'لفت' || k === 'تابع') return 'm'
  if (k === 'قولها' || /ت$/u.test(k) || /^(?:قايله|مضيفه|مويده|موكده|مشدده|مجدده|مشيره|لافته|موضحه|معتبره|محذره|مبينه)$/u.test(k)) return 'f'
  if (/^ت/u.test(k) && k.length >= 4) return 'f'
  return 'm'
}

/** Folded reporting verbs and participles. */
export const VERB_KEYS: ReadonlySet<string> = new Set(VERB_INDEX.keys())

/** Complementizers after which the reported words start (the word itself is left out). */
export const COMPLEMENTIZERS = foldedSet(['أن', 'إن', 'بأن', 'بان'])
/** أنه، إنها، بأنهم …: the pronoun is the subject of the reported words, so the word is kept. */
export const ATTACHED_COMPLEMENTIZER = /^ب?ان(?:ه|ها|هم|هما|هن|نا|ني|ي|ك|كم)$/u

/** Words a speaker phrase may be followed by before the complementizer («في بيان»، «خلال مؤتمر»). */
export const CIRCUMSTANTIAL_STARTERS = foldedSet([
  'في', 'خلال', 'عبر', 'أمام', 'لدى', 'عقب', 'بعد', 'أثناء', 'ضمن', 'يوم', 'أمس', 'اليوم', 'من', 'مساء', 'صباح',
  'حول', 'بشأن', 'ردا', 'رداً', 'تعليقا', 'تعليقاً', 'بدوره', 'بدورها', 'من جهته', 'بحسب', 'وفق', 'عقب', 'لدى', 'ظهر',
])
export const CIRCUMSTANTIAL_WINDOW = 30

/** Heads of job titles: «وزير الخارجية الفرنسي …», «المتحدثة باسم …». */
export const TITLE_HEADS = foldedSet(
  [
    'وزير', 'وزيرة', 'رئيس', 'رئيسة', 'نائب', 'نائبة', 'مدير', 'مديرة', 'متحدث', 'متحدثة', 'ناطق', 'ناطقة', 'سفير',
    'سفيرة', 'مبعوث', 'مبعوثة', 'ممثل', 'ممثلة', 'مسؤول', 'مسؤولة', 'قائد', 'قائدة', 'عضو', 'محافظ', 'محافظة', 'مستشار',
    'مستشارة', 'أمين', 'أمينة', 'منسق', 'منسقة', 'مفوض', 'مفوضة', 'زعيم', 'زعيمة', 'رئيسة', 'الرئيس', 'الرئيسة',
    'نائب', 'النائب', 'النائبة', 'مساعد', 'مساعدة', 'وكيل', 'وكيلة', 'قاضي', 'القاضي', 'مراسل', 'مراسلة', 'ملك', 'أمير', 'ولي', 'معاون',
    'مندوب', 'مندوبة', 'المشرف', 'مشرف', 'عميد', 'لواء', 'العميد', 'اللواء', 'العقيد', 'عقيد', 'الشيخ',
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
    'تحالف', 'الأمم', 'منظمات', 'جهاز', 'جامعة', 'مديرية', 'دائرة', 'مركز', 'هيئات', 'خلية', 'مرصد', 'بعثة', 'صندوق', 'بنك',
    'الخارجية', 'الداخلية', 'الدفاع',
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
/** Honorifics that may open a name («الأمير فيصل …», «الدكتور …», «الشيخ …»): part of the name phrase. */
export const HONORIFICS = foldedSet(['الأمير', 'الشيخ', 'الدكتور', 'د', 'الدكتورة', 'السفير', 'المهندس', 'العماد', 'الفريق', 'اللواء', 'القاضي', 'المحامي', 'السيد', 'السيدة', 'معالي', 'سمو', 'فخامة', 'دولة', 'الإعلامي', 'الكاتب'])

/** «وأضاف البيان أن …»: the statement speaks for whoever issued it. */
export const DOCUMENT_NOUNS = foldedSet(['البيان', 'التقرير', 'الرسالة', 'التصريح', 'سموه', 'سيادته', 'سموها', 'معاليه', 'فخامته'])

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
  ['جاء', 'ذلك'],
  ['وجاء', 'ذلك'],
].map((words) => words.map(foldKey))

/** Participles that start a new clause («، داعياً إلى …»): a quote ends before them. */
export const CLAUSE_ENDERS = foldedSet(['داعيا', 'داعياً', 'داعية', 'معربا', 'معرباً', 'معربة', 'مطالبا', 'مطالباً', 'مطالبة', 'معبرا', 'معبراً', 'معبرة', 'منوها', 'منوهاً', 'منوهة', 'مستدركا', 'مستدركاً'])

/** Words that never start a name after a verb («كما قالوا وليس …»). */
export const NOT_NAMES = foldedSet(['ليس', 'وليس', 'لكن', 'ولكن', 'كما', 'قد', 'ثم', 'او', 'أو', 'بل', 'إذ', 'اذ', 'حتى', 'غير', 'عبر', 'وفق', 'لا', 'لم', 'لن', 'ما', 'التي', 'الذي', 'الذين'])
