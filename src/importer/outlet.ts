// The outlet a page comes from, read from the page itself: a «المصدر: …» credit, a dateline
// («شفق نيوز- بغداد», «عمان-سانا»), or the outlet's own name among the page chrome. Never a default:
// a page that names no outlet gets none.
import {foldKey} from './arabic'

export interface OutletFinding {
  name: string
  reason: string
}

/** Capitals and cities datelines name; the other side of the dash is the outlet. */
export const DATELINE_PLACES: ReadonlySet<string> = new Set(
  [
    'بغداد', 'دمشق', 'عمان', 'عمّان', 'بيروت', 'القاهرة', 'الرياض', 'جدة', 'الدوحة', 'أبوظبي', 'ابوظبي', 'دبي', 'الكويت', 'المنامة',
    'مسقط', 'صنعاء', 'عدن', 'الرباط', 'الجزائر', 'تونس', 'طرابلس', 'الخرطوم', 'رام الله', 'غزة', 'القدس', 'نابلس', 'الخليل',
    'بيت لحم', 'أنقرة', 'انقرة', 'إسطنبول', 'اسطنبول', 'أربيل', 'اربيل', 'البصرة', 'الموصل', 'حلب', 'حمص', 'اللاذقية', 'الحسكة',
    'القامشلي', 'الإسكندرية', 'نيويورك', 'واشنطن', 'باريس', 'لندن', 'موسكو', 'طهران', 'جنيف', 'بروكسل', 'العراق', 'سوريا', 'لبنان',
  ].map(foldKey),
)

/** Words that make a name an outlet («… نيوز», «وكالة …», «صحيفة …», «قناة …»). */
const OUTLET_WORD = /(?:^|\s)(?:نيوز|news|وكاله|صحيفه|جريده|قناه|راديو|اذاعه|تلفزيون|موقع|الاخباري|الاخباريه|tv|شبكه|مجله|بوابه)(?:\s|$)/u

/** Outlets whose name a page prints in its chrome (logo text, site name), with the forms they go by. */
export const KNOWN_OUTLETS: ReadonlyArray<{name: string; forms: readonly string[]}> = [
  {name: 'السومرية نيوز', forms: ['السومرية نيوز', 'السومرية', 'alsumaria tv', 'alsumaria']},
  {name: 'لبنان 24', forms: ['لبنان 24', 'lebanon 24']},
  {name: 'صحيفة عاجل', forms: ['صحيفة عاجل', 'ajel.sa']},
  {name: 'تركيا الآن', forms: ['تركيا الان', 'تركيا الآن']},
  {name: 'وكالة الأناضول', forms: ['الأناضول', 'وكالة الأناضول', 'a.a', 'aa', 'anadolu']},
  {name: 'النهار', forms: ['النهار']},
  {name: 'اليوم السابع', forms: ['اليوم السابع', 'youm7']},
  {name: 'شفق نيوز', forms: ['شفق نيوز']},
  {name: 'وكالة الأنباء السورية (سانا)', forms: ['سانا', 'sana']},
  {name: 'وكالة الأنباء الفلسطينية (وفا)', forms: ['وفا', 'wafa']},
].map((o) => ({...o, forms: o.forms.map(foldKey)}))

/** «شفق نيوز- بغداد», «عمان-سانا», «بغداد/ المورد نيوز»: a short line of two parts split by a dash or slash. */
export function splitDateline(line: string): {place?: string; outlet?: string} | undefined {
  const text = line.replace(/^\s*date\s+\S+\s+/u, '').trim()
  const m = /^([^\-–—/|.،,:]{2,30}?)\s*[-–—/]\s*([^\-–—/|.،,:]{2,30})$/u.exec(text)
  if (!m) return undefined
  const [left, right] = [m[1]!.trim(), m[2]!.trim()]
  if (left.split(/\s+/).length > 4 || right.split(/\s+/).length > 4) return undefined
  const isPlace = (s: string): boolean => DATELINE_PLACES.has(foldKey(s))
  if (isPlace(left) && !isPlace(right)) return {place: left, outlet: right}
  if (isPlace(right) && !isPlace(left)) return {place: right, outlet: left}
  if (OUTLET_WORD.test(foldKey(left))) return {outlet: left}
  if (OUTLET_WORD.test(foldKey(right))) return {outlet: right}
  return undefined
}

/** «رام الله - النجاح الإخباري - أكدت …», «بغداد/ المورد نيوزنفت …»: a dateline opening a paragraph. */
export function inlineDateline(paragraph: string): {place: string; outlet: string} | undefined {
  const m = /^([^\-–—/.،,:]{2,20}?)\s*[-–—/]\s*([^\-–—/.،,:]{2,30}?)\s*[-–—]\s*\S/u.exec(paragraph)
  if (m && DATELINE_PLACES.has(foldKey(m[1]!.trim()))) return {place: m[1]!.trim(), outlet: m[2]!.trim()}
  return undefined
}

/** An outlet credit inside a line: «… المصدر/ A.A», «المصدر: صدى البلد». */
export function sourceCredit(line: string): string | undefined {
  const m = /(?:^|\s)(?:المصدر|مصدر الخبر)\s*[:：/-]\s*([^؟!،:]{1,40}?)[.\s]*$/u.exec(line)
  return m?.[1]?.trim() || undefined
}

/** A known outlet named by a chrome line (its logo text, its site name, a caption credit «(النهار)»). */
export function knownOutletIn(line: string): string | undefined {
  const key = foldKey(line)
  const caption = /\(([^()]{2,20})\)\s*$/u.exec(key)?.[1]
  for (const outlet of KNOWN_OUTLETS) {
    if (outlet.forms.some((f) => key === f || caption === f || key.startsWith(`${f} `) || key.endsWith(` ${f}`))) return outlet.name
  }
  return undefined
}
