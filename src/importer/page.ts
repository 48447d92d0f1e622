// Page text → content lines. Splits lines, trims line ends, drops empty lines and page chrome
// (navigation, share and "read more" lines scraped along with the article).
import {foldKey, foldedSet} from './arabic'
import {asciiDigits, findDate, isRelativeDate} from './dates'

export interface PageLine {
  /** The line, trimmed at its ends only; otherwise verbatim. */
  text: string
  /** 1-based line number in the page text. */
  lineNumber: number
  /** Offset of `text` in the page text. */
  offset: number
}

export interface ChromeLine extends PageLine, ChromeVerdict {}

export interface Page {
  lines: PageLine[]
  chrome: ChromeLine[]
}

/** What a chrome line is, and why it was dropped (reported on stderr). */
export interface ChromeVerdict {
  kind: ChromeKind
  reason: string
}

export type ChromeKind =
  | 'navigation'
  | 'share'
  | 'related'
  | 'source'
  | 'tags'
  | 'date'
  | 'byline'
  | 'masthead'
  | 'comments'
  | 'advertisement'
  | 'views'
  | 'controls'
  | 'label'
  | 'link'
  | 'dateline'
  | 'caption'

interface ChromeRule {
  kind: ChromeKind
  reason: string
  /** Tested against the folded line (foldKey), with digits made ASCII. */
  test: RegExp
}

/**
 * Whole-line patterns, on folded text. Each says what it catches; page-level rules (labels next to the
 * headline, related headlines after «اقرأ أيضاً», repeated lines) are in anatomy.ts.
 */
export const CHROME_RULES: readonly ChromeRule[] = [
  // «اقرأ أيضاً: …», «إقرأ المزيد: …» — links to other articles
  {kind: 'related', reason: 'a link to another article («اقرأ أيضاً»)', test: /^(?:ا|و)?قرا (?:ايضا|المزيد|كذلك)(?!\p{L})/u},
  {kind: 'related', reason: 'a related-articles heading', test: /^(?:مقالات|اخبار|مواضيع|موضوعات|قصص) (?:ذات صله|متعلقه|مشابهه|مقترحه)$|^ذات صله$|^قد يعجبك(?: ايضا)?$|^(?:احدث|اخر|اهم|ابرز) (?:الاخبار|الاخبار العاجله|المقالات)$|^الاكثر (?:قراءه|مشاهده)$|^no stories found\.?$|^المزيد$|^الكلمات المتعلقه$/u},
  // «المصدر: وكالات» — short source credit lines (kept in sourceText; the outlet is read from them)
  {kind: 'source', reason: 'a source credit («المصدر: …»)', test: /^(?:المصدر|مصدر الخبر|المصادر|source)\s*[:：/-]\s*\S[^.؟!]{0,40}$/u},
  // «الوسوم: …», «كلمات دلالية: …»
  {kind: 'tags', reason: 'a tag list', test: /^(?:الوسوم|وسوم|كلمات مفتاحيه|الكلمات المفتاحيه|كلمات دلاليه|الكلمات الداله|كلمات داله|تاغ|تاج|tags|الكلمات المتعلقه)\s*[:：]?/u},
  // «رئيس التحرير …», «رئيس مجلسي الإدارة والتحرير» — the masthead
  {kind: 'masthead', reason: 'a masthead credit', test: /^(?:رييس (?:مجلس|مجلسي) الاداره|رييس التحرير|مدير التحرير|نايب رييس التحرير|رييس مجلس الاداره ورييس التحرير)(?:\s|$)/u},
  // «كتب - نعيم يوسف», «بقلم: …»
  {kind: 'byline', reason: 'a byline', test: /^(?:كتب|كتبت|بقلم|تحرير|اعداد|متابعه|تقرير|حوار|ترجمه|by)\s*(?:[-–—/:|]\s*)?\S[^.؟!،]{0,40}$/u},
  // comment boxes
  {kind: 'comments', reason: 'a comment box', test: /^(?:اترك|اضف|شارك) (?:تعليقا|تعليقك|تعليق|رايك|برايك)|^(?:\d+ )?(?:تعليق|تعليقات|التعليقات)(?: مغلقه)?$|^تم اضافه تعليقك|^لن يتم نشر عنوان بريدك|^تسجيل الدخول$|^شارك برايك$|^اكتب تعليقك/u},
  // advertisements and ad-blocker notices
  {kind: 'advertisement', reason: 'an advertisement', test: /^(?:advertisement|ad|ads|اعلان|إعلان|مساحه اعلانيه|sponsored)$|adblock/u},
  // view counters
  {kind: 'views', reason: 'a view counter', test: /^(?:عدد )?(?:المشاهدات|مشاهدات|القراءات|view|views)\s*[:：]?\s*\d*$|^\d+\s*(?:مشاهده|مشاهدات|قراءه|views)$/u},
  // font-size and display controls, link copying
  {kind: 'controls', reason: 'a page control (text size, copy link)', test: /^(?:a[+-]\s*a[+-]|smaller bigger|تصغير|تكبير|تصغير تكبير|نسخ الرابط|تم نسخ الرابط(?: بنجاح)?|photos|video|play|live|loader|skip to main content)$/u},
  // «تابع أحدث الأخبار عبر تطبيق google news», «تابعونا على …»
  {kind: 'share', reason: 'a follow-us line', test: /^تابع(?:ونا|نا)? (?:احدث|اخر|اهم)? ?(?:الاخبار )?(?:عبر|على) /u},
  // a URL on its own line, or a credit with a URL
  {kind: 'link', reason: 'a link', test: /https?:\/\/\S+/u},
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
  'إغلاق', 'اغلاق', 'بحث', 'ابحث', 'القائمة', 'قائمة', 'تحميل', 'حفظ', 'و', 'البث', 'المباشر', 'الاشعارات', 'الإشعارات',
  'facebook', 'twitter', 'x', 'whatsapp', 'telegram', 'linkedin', 'pinterest', 'reddit', 'email', 'e-mail', 'print',
  'share', 'more', 'show', 'back', 'to', 'top', 'read', 'also', 'messenger', 'tumblr', 'copy', 'link', 'vk', 'viber',
  'youtube', 'instagram', 'rss', 'logo', 'menu', 'search', 'home',
])

/** Sentence punctuation: a line that has it is prose, not a button. */
const SENTENCE_PUNCTUATION = /[.؟?!،,؛;«»“”"]/

/** Why a line is chrome, judged on the line alone (no page context); undefined when it is content. */
export function chromeVerdict(line: string): ChromeVerdict | undefined {
  const key = foldKey(asciiDigits(line))
  if (key === '') return undefined
  for (const rule of CHROME_RULES) if (rule.test.test(key)) return {kind: rule.kind, reason: rule.reason}
  if (isRelativeDate(line)) return {kind: 'date', reason: 'a relative date («منذ …»), meaningless without the time of the visit'}
  const date = findDate(line)
  if (date && (date.whole || wordCount(key) - dateWords(key) <= 2) && wordCount(key) <= 10) {
    return {kind: 'date', reason: `a date line (${date.value})`}
  }
  // numbers, a time, or a fragment of one («٥٢:», «م +02:00 EET»)
  if ((key.match(/\p{L}/gu) ?? []).length <= 4 && /[\p{N}]/u.test(key)) return {kind: 'date', reason: 'numbers or a time fragment'}
  // no Arabic at all and short: a logo, the site's name, a control («Lebanon 24», «Alsumaria Tv»)
  if (!/[\u0600-\u06FF]/u.test(key) && wordCount(key) <= 6 && !/[.!?]\s*\S/.test(key)) {
    return {kind: 'label', reason: 'a short Latin-script label (logo, site name or control)'}
  }
  if (SENTENCE_PUNCTUATION.test(line)) return undefined
  const words = key.split(/[\s|/•·\-–—]+/u).filter(Boolean)
  if (words.length > 0 && words.length <= CHROME_MAX_WORDS && words.every((w) => CHROME_WORDS.has(w))) {
    return {kind: 'navigation', reason: 'interface words only (share, navigation)'}
  }
  return undefined
}

const wordCount = (key: string): number => key.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length
/** Words of a line that belong to its date (digits, month names, weekday, labels). */
const dateWords = (key: string): number =>
  key.split(/\s+/).filter((w) => /^[\d:|/.,\-–]+(?:th|st|nd|rd)?,?$/u.test(w) || /^(?:date|gmt|utc|م|ص)$/u.test(w) || findDate(`1 ${w} 2000`) !== undefined).length

export function isChromeLine(line: string): boolean {
  return chromeVerdict(line) !== undefined
}

/** Split page text into lines (\n, \r\n, \r, U+2028/2029), trim line ends, drop empty lines and chrome. */
export function parsePage(text: string): Page {
  const lines: PageLine[] = []
  const chrome: ChromeLine[] = []
  const handle = (raw: string, offset: number, lineNumber: number): void => {
    const trimmed = raw.trim()
    if (trimmed === '') return
    const line: PageLine = {text: trimmed, lineNumber, offset: offset + (raw.length - raw.trimStart().length)}
    const verdict = chromeVerdict(trimmed)
    if (verdict) chrome.push({...line, ...verdict})
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
