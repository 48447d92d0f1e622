// The site's one stylesheet, inlined in every page (so a page saved by `npm run render` stands alone)
// and allowed by its hash in the Content-Security-Policy instead of 'unsafe-inline'.
import {createHash} from 'node:crypto'

export const CSS = `
:root { color-scheme: light dark; --fg: #1b1b1b; --muted: #5c5c5c; --bg: #fdfdfb; --line: #ddd; --accent: #0b5cad; --on-accent: #fff; --mark: #fff3c4; }
@media (prefers-color-scheme: dark) { :root { --fg: #eee; --muted: #b0b0b0; --bg: #151515; --line: #333; --accent: #7db7ff; --on-accent: #0d1b2a; --mark: #4a3f12; } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 1.125rem/1.8 system-ui, -apple-system, "Segoe UI", "Noto Naskh Arabic", "Noto Sans Arabic", Tahoma, "Geeza Pro", "Arabic Typesetting", sans-serif; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.wrap { max-width: 44rem; margin-inline: auto; padding-inline: 1rem; }
.site-header { border-block-end: 1px solid var(--line); padding-block: .75rem; }
.site-header .wrap { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; }
.site-name { font-weight: 700; font-size: 1.25rem; color: inherit; text-decoration: none; }
.search-form { display: flex; gap: .25rem; flex: 1 1 14rem; max-width: 22rem; }
.search-form input { flex: 1; min-width: 0; font: inherit; padding: .3rem .6rem; border: 1px solid var(--line); border-radius: .4rem; background: transparent; color: inherit; }
.search-form button, .preview-banner button { font: inherit; padding: .3rem .8rem; border-radius: .4rem; border: 1px solid var(--accent); background: var(--accent); color: var(--on-accent); cursor: pointer; }
main { padding-block: 1.5rem 3rem; }
h1 { font-size: clamp(1.5rem, 5vw, 2.1rem); line-height: 1.35; margin-block: 0 .75rem; }
h2 { font-size: 1.3rem; margin-block: 2rem .5rem; }
.kicker { font-size: 1rem; color: var(--muted); margin-block: 0 .5rem; }
.lead { font-size: 1.25rem; color: var(--muted); }
.meta, .source, .credits, .muted, .byline { color: var(--muted); font-size: .95rem; }
q { quotes: none; background: var(--mark); border-radius: .2rem; }
a.mention { color: inherit; text-decoration: underline dotted; }
[id]:target { scroll-margin-block-start: 1rem; background: var(--mark); }
.main-image { margin: 1.5rem 0; }
.main-image img { display: block; width: 100%; height: auto; background: var(--line); }
.main-image figcaption { color: var(--muted); font-size: .95rem; margin-block-start: .4rem; }
.main-image .credit { font-size: .85rem; }
.portrait { margin: 0 0 1rem; max-width: 10rem; }
.portrait img { display: block; width: 100%; height: auto; border-radius: 50%; background: var(--line); }
.list { list-style: none; padding: 0; margin: 0; }
.list > li { border-block-end: 1px solid var(--line); padding-block: 1rem; }
.list h2, .list h3 { margin-block: 0 .25rem; font-size: 1.2rem; }
.list p { margin-block: .25rem; }
blockquote.quote { margin: 0; padding-inline-start: 1rem; border-inline-start: 4px solid var(--accent); font-size: 1.3rem; }
.pager { display: flex; justify-content: space-between; margin-block-start: 1.5rem; }
.preview-banner { background: #8a1c1c; color: #fff; padding: .5rem 0; }
.preview-banner .wrap { display: flex; gap: 1rem; align-items: center; justify-content: space-between; }
.preview-banner a { color: inherit; }
.site-footer { border-block-start: 1px solid var(--line); padding-block: 1rem 2rem; color: var(--muted); font-size: .9rem; }
@media (max-width: 30rem) { body { font-size: 1.05rem; } .search-form { max-width: none; } }
`.trim()

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

export const CSS_HASH = sha256(CSS)
/** The renderer writes style="quotes: none" on each <q>; allowed by its hash ('unsafe-hashes'), nothing else inline. */
export const Q_STYLE_HASH = sha256('quotes: none')
