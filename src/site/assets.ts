// The only script the site sends (progressive enhancement; pages work without it): when the lake
// reports a change, fetch this page again and swap in its <main>, so an open page follows publishes
// (and, in preview, drafts) without a reload. Served from /assets/live.js under script-src 'self'.
export const LIVE_JS = `(() => {
  'use strict'
  if (!('EventSource' in window) || !('DOMParser' in window)) return
  let timer
  const refresh = async () => {
    const main = document.querySelector('main')
    const active = document.activeElement
    if (!main || (active && main.contains(active) && /^(INPUT|TEXTAREA)$/.test(active.tagName))) return
    const res = await fetch(location.href, {credentials: 'same-origin', headers: {accept: 'text/html'}})
    if (!res.ok) return
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html')
    const next = doc.querySelector('main')
    if (!next) return
    main.replaceWith(document.adoptNode(next))
    document.title = doc.title
    document.dispatchEvent(new CustomEvent('site:refreshed'))
  }
  const source = new EventSource('/api/live')
  source.addEventListener('change', () => {
    clearTimeout(timer)
    timer = setTimeout(() => refresh().catch(() => {}), 250)
  })
})()
`
