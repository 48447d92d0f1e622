// Page text → content lines. Splits lines, trims line ends, drops empty lines and page chrome
// (navigation, share and "read more" lines scraped along with the article).
import {foldKey, foldedSet} from './arabic'

export interface PageLine {
  /** The line, trimmed at its ends only; otherwise verbatim. */
  text: string
  /** 1-based line number in the page text. */
  lineNumber: number
  /** Offset of `text` in the page text. */
  offset: number
}

export interface Page {
  lines: PageLine[]
  chrome: PageLine[]
}

/**
 * All chrome rules in one place.
 * 1. Whole-line patterns (folded text) such as «المصدر: …» or «اقرأ أيضاً: …».
 * 2. A short line (≤ CHROME_MAX_WORDS words) without sentence punctuation whose every word is a
 *    known interface word (buttons, share targets, navigation).
 */
export const CHROME_PATTERNS: readonly RegExp[] = [
  // «اقرأ أيضاً: …», «إقرأ المزيد: …», «اقرأ ايضا …» — links to other articles
  /^(?:ا|و)?قرا (?:ايضا|المزيد|كذلك)(?!\p{L})/u,
  // «المصدر: وكالات» — short source credit lines (kept in sourceText)
  /^(?:المصدر|مصدر الخبر|المصادر)\s*[:：-]\s*\S[^.؟!]{0,40}$/u,
  // «الوسوم: …», «كلمات مفتاحية: …», «تاغ: …»
  /^(?:الوسوم|وسوم|كلمات مفتاحيه|الكلمات المفتاحيه|تاغ|tags)\s*[:：]/u,
]

export const CHROME_MAX_WORDS = 8

/** Interface words: a short line made only of these is chrome. */
export const CHROME_WORDS: ReadonlySet<string> = foldedSet([
  'اظهر', 'أظهر', 'إظهار', 'اظهار', 'عرض', 'المزيد', 'مزيد', 'أقل', 'اقل', 'زر', 'الذهاب', 'اذهب', 'إلى', 'الى', 'لى',
  'الأعلى', 'للأعلى', 'أعلى', 'الاعلى', 'العودة', 'عودة', 'الرجوع', 'رجوع', 'الصفحة', 'الرئيسية', 'الرئيسيه',
  'اقرأ', 'إقرأ', 'اقرا', 'أيضا', 'أيضاً', 'ايضا', 'ذات', 'صلة', 'أخبار', 'اخبار', 'مواضيع', 'مقالات', 'متعلقة', 'مشابهة',
  'شارك', 'شاركها', 'مشاركة', 'عبر', 'على', 'عن', 'طريق', 'هذا', 'الخبر', 'المقال',
  'فيسبوك', 'فيس', 'بوك', 'تويتر', 'إكس', 'واتساب', 'واتس', 'آب', 'اب', 'تيليجرام', 'تلغرام', 'تيلغرام', 'لينكدإن', 'لينكد',
  'إن', 'انستغرام', 'إنستغرام', 'يوتيوب', 'بينتيريست', 'ماسنجر', 'ريديت', 'تمبلر', 'بريد', 'البريد', 'الإلكتروني', 'إلكتروني',
  'طباعة', 'اطبع', 'نسخ', 'الرابط', 'رابط', 'تم', 'تابعونا', 'تابعنا', 'تابع', 'اشترك', 'اشتراك', 'النشرة', 'البريدية',
  'التعليقات', 'تعليق', 'تعليقات', 'اترك', 'أضف', 'اضف', 'السابق', 'التالي', 'المقال', 'الخبر', 'التالية', 'السابقة',
  'إغلاق', 'اغلاق', 'بحث', 'ابحث', 'القائمة', 'قائمة', 'تحميل', 'حفظ', 'و',
  'facebook', 'twitter', 'x', 'whatsapp', 'telegram', 'linkedin', 'pinterest', 'reddit', 'email', 'e-mail', 'print',
  'share', 'more', 'show', 'back', 'to', 'top', 'read', 'also', 'messenger', 'tumblr', 'copy', 'link', 'vk', 'viber',
])

/** Sentence punctuation: a line that has it is prose, not a button. */
const SENTENCE_PUNCTUATION = /[.؟?!،,؛;«»“”"]/

export function isChromeLine(line: string): boolean {
  const key = foldKey(line)
  if (key === '') return false
  if (CHROME_PATTERNS.some((re) => re.test(key))) return true
  if (SENTENCE_PUNCTUATION.test(line)) return false
  const words = key.split(/[\s|/•·\-–—]+/u).filter(Boolean)
  return words.length > 0 && words.length <= CHROME_MAX_WORDS && words.every((w) => CHROME_WORDS.has(w))
}

/** Split page text into lines (\n, \r\n, \r, U+2028/2029), trim line ends, drop empty lines and chrome. */
export function parsePage(text: string): Page {
  const lines: PageLine[] = []
  const chrome: PageLine[] = []
  const handle = (raw: string, offset: number, lineNumber: number): void => {
    const trimmed = raw.trim()
    if (trimmed === '') return
    const line: PageLine = {text: trimmed, lineNumber, offset: offset + (raw.length - raw.trimStart().length)}
    if (isChromeLine(trimmed)) chrome.push(line)
    else lines.push(line)
  }
  const breaks = /\r\n|[\r\n\u2028\u2029]/g
  let start = 0
  let lineNumber = 1
  for (let m = breaks.exec(text); m; m = breaks.exec(text)) {
    handle(text.slice(start, m.index), start, lineNumber)
    start = m.index + m[0].length
    lineNumber++
  }
  handle(text.slice(start), start, lineNumber)
  return {lines, chrome}
}
