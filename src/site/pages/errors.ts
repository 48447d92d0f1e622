import {html} from '../html'
import {layout, type PageContext} from '../layout'

const MESSAGES: Record<number, {title: string; text: string}> = {
  400: {title: 'طلب غير صالح', text: 'في عنوان الصفحة قيمة لا نفهمها.'},
  401: {title: 'غير مخوّل', text: 'رمز المعاينة غير صحيح.'},
  404: {title: 'الصفحة غير موجودة', text: 'لم نجد ما تبحث عنه. ربما حُذف أو تغيّر عنوانه.'},
  500: {title: 'خطأ في الخادم', text: 'حدث خطأ غير متوقع. حاول مرة أخرى بعد قليل.'},
  502: {title: 'تعذّر الوصول إلى المحتوى', text: 'لم تُجب قاعدة المحتوى. حاول مرة أخرى بعد قليل.'},
  503: {title: 'الخدمة غير متاحة مؤقتاً', text: 'حاول مرة أخرى بعد قليل.'},
}

/** An error page in Arabic; `detail` is a short reason for the reader, never a stack trace. */
export function errorPage(ctx: PageContext, status: number, detail?: string): string {
  const message = MESSAGES[status] ?? (MESSAGES[500] as {title: string; text: string})
  return layout(
    ctx,
    {title: message.title},
    html`<h1>${message.title}</h1>
<p>${message.text}</p>
${detail ? html`<p class="muted">${detail}</p>` : ''}
<p><a href="/">العودة إلى الصفحة الرئيسية</a></p>`,
  )
}
