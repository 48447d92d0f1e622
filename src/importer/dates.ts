// Dates as news pages print them: ISO and numeric forms, Arabic-Indic digits, Arabic month names
// (Egyptian and Levantine: أكتوبر / تشرين الأول), weekday names, times with a UTC offset or zone
// name, and relative forms («منذ ٣٨ دقيقة») that say nothing without the clock of the visit.
import {foldKey} from './arabic'

export interface FoundDate {
  /** yyyy-mm-dd, or yyyy-mm-ddThh:mm[:ss]±hh:mm when a time and zone are stated, else yyyy-mm-ddThh:mm. */
  value: string
  /** True when the line is only the date (with weekday, time, «نشر»/«تاريخ النشر» labels). */
  whole: boolean
}

const DIGITS: Readonly<Record<string, string>> = {
  '٠': '0', '١': '1', '٢': '2', '٣': '3', '٤': '4', '٥': '5', '٦': '6', '٧': '7', '٨': '8', '٩': '9',
  '۰': '0', '۱': '1', '۲': '2', '۳': '3', '۴': '4', '۵': '5', '۶': '6', '۷': '7', '۸': '8', '۹': '9',
}

/** Arabic-Indic and Persian digits → ASCII (same length, so offsets stay valid). */
export const asciiDigits = (text: string): string => text.replace(/[٠-٩۰-۹]/g, (d) => DIGITS[d] ?? d)

/** Month names, folded, → month number. */
const MONTHS: ReadonlyMap<string, number> = new Map(
  (
    [
      [['يناير', 'كانون الثاني', 'جانفي', 'january', 'jan'], 1],
      [['فبراير', 'شباط', 'فيفري', 'february', 'feb'], 2],
      [['مارس', 'آذار', 'اذار', 'march', 'mar'], 3],
      [['أبريل', 'ابريل', 'إبريل', 'نيسان', 'أفريل', 'april', 'apr'], 4],
      [['مايو', 'أيار', 'ايار', 'ماي', 'may'], 5],
      [['يونيو', 'يونيه', 'حزيران', 'جوان', 'june', 'jun'], 6],
      [['يوليو', 'يوليه', 'تموز', 'جويلية', 'july', 'jul'], 7],
      [['أغسطس', 'اغسطس', 'آب', 'اب', 'أوت', 'august', 'aug'], 8],
      [['سبتمبر', 'أيلول', 'ايلول', 'september', 'sep'], 9],
      [['أكتوبر', 'اكتوبر', 'تشرين الأول', 'october', 'oct'], 10],
      [['نوفمبر', 'تشرين الثاني', 'november', 'nov'], 11],
      [['ديسمبر', 'كانون الأول', 'دجنبر', 'december', 'dec'], 12],
    ] as const
  ).flatMap(([names, n]) => names.map((name) => [foldKey(name), n] as const)),
)
const MONTH_ALTERNATION = [...MONTHS.keys()].sort((a, b) => b.length - a.length).join('|')

const WEEKDAYS = ['الاحد', 'الاثنين', 'الثلاثاء', 'الاربعاء', 'الخميس', 'الجمعه', 'السبت', 'sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']

const pad = (n: number): string => String(n).padStart(2, '0')
const valid = (y: number, m: number, d: number): boolean => y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31

/** Words a date line may carry besides the date itself. */
const DATE_LINE_WORDS = new Set(
  ['نشر', 'تاريخ', 'النشر', 'اخر', 'تحديث', 'بتاريخ', 'في', 'date', 'gmt', 'utc', 'م', 'ص', 'مساء', 'صباحا', 'هـ', 'ه', 'الساعه', 'pm', 'am', 'eet', 'ast', 'aest', 'cet', 'يوم', 'th', 'st', 'nd', 'rd'].concat(WEEKDAYS),
)

/** A relative date («منذ ٣٨ دقيقة», «قبل ساعتين»): meaningless without the visit's clock. */
export function isRelativeDate(line: string): boolean {
  const key = foldKey(asciiDigits(line)).replace(/[|•·:]/g, ' ').trim()
  return /^(?:(?:نشر|اخر تحديث)\s*)?(?:منذ|قبل)\s+(?:\d+\s+)?(?:دقيقه|دقائق|دقيقتين|ساعه|ساعات|ساعتين|يوم|ايام|يومين|اسبوع|اسابيع|شهر|اشهر|ثانيه|ثوان)(?:\s|$)/u.test(key) && key.split(/\s+/).length <= 6
}

/** The first date in a line, if any. */
export function findDate(line: string): FoundDate | undefined {
  const text = asciiDigits(line)
  const key = foldKey(text)
  let found: {y: number; m: number; d: number; at: number; end: number} | undefined
  const tryMatch = (re: RegExp, order: (m: RegExpExecArray) => [number, number, number]): void => {
    if (found) return
    const m = re.exec(key)
    if (!m) return
    const [y, mo, d] = order(m)
    if (valid(y, mo, d)) found = {y, m: mo, d, at: m.index, end: m.index + m[0].length}
  }
  tryMatch(/(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/u, (m) => [+m[1]!, +m[2]!, +m[3]!])
  tryMatch(/(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)/u, (m) => [+m[3]!, +m[2]!, +m[1]!])
  tryMatch(new RegExp(`(?<!\\d)(\\d{1,2})(?:th|st|nd|rd)?,?\\s+(${MONTH_ALTERNATION})(?:\\s*/\\s*(?:${MONTH_ALTERNATION}))?,?\\s+(\\d{4})(?!\\d)`, 'u'), (m) => [+m[3]!, MONTHS.get(m[2]!) ?? 0, +m[1]!])
  tryMatch(new RegExp(`(?<![\\p{L}])(${MONTH_ALTERNATION})\\s+(\\d{1,2}),?\\s+(\\d{4})(?!\\d)`, 'u'), (m) => [+m[3]!, MONTHS.get(m[1]!) ?? 0, +m[2]!])
  if (!found) return undefined
  const date = `${found.y}-${pad(found.m)}-${pad(found.d)}`
  // a time and a zone, when the same line states them
  const rest = key.slice(found.end)
  const time = /(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(م|مساء|pm|ص|صباحا|am)?/u.exec(rest) ?? /(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(م|مساء|pm|ص|صباحا|am)?/u.exec(key.slice(0, found.at))
  let value = date
  if (time) {
    let h = +time[1]!
    const min = +time[2]!
    const pm = time[4] && /^(?:م|مساء|pm)$/u.test(time[4])
    const am = time[4] && /^(?:ص|صباحا|am)$/u.test(time[4])
    if (pm && h < 12) h += 12
    if (am && h === 12) h = 0
    if (h < 24 && min < 60) {
      value = `${date}T${pad(h)}:${pad(min)}${time[3] ? `:${time[3]}` : ''}`
      const zone = zoneOf(key)
      if (zone) value += zone
    }
  }
  const leftover = (key.slice(0, found.at) + ' ' + key.slice(found.end))
    .replace(/\d{1,2}:\d{2}(?::\d{2})?/gu, ' ')
    .replace(/[+-]\d{2}:?\d{2}/gu, ' ')
    .replace(/\d{1,2}\s+\S+\s+\d{4}\s*(?:هـ|ه)/gu, ' ') // a Hijri date beside it
    .replace(/[|:،,\-–—/()[\]]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
  const whole = leftover.every((w) => DATE_LINE_WORDS.has(w) || /^\d+$/.test(w) || MONTHS.has(w))
  return {value, whole}
}

/** «GMT», «+02:00», «UTC+3» → an offset; undefined when no zone is stated. */
function zoneOf(key: string): string | undefined {
  const offset = /(?:^|\s)(?:gmt|utc)?\s*([+-])(\d{1,2})(?::?(\d{2}))?(?=\s|$|[a-z])/u.exec(key)
  if (offset && /(?:gmt|utc|[+-]\d{2}:\d{2})/u.test(key)) return `${offset[1]}${pad(+offset[2]!)}:${offset[3] ?? '00'}`
  if (/(?<![a-z])(?:gmt|utc)(?![a-z])/u.test(key)) return 'Z'
  return undefined
}
