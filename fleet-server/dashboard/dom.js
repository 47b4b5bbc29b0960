// Tiny DOM helpers: h('tag.class', {attr}, ...children). Text is always set as text, never HTML.
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.')
  const el = document.createElement(tag || 'div')
  if (classes.length) el.className = classes.join(' ')
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v)
    else if (k === 'dataset') Object.assign(el.dataset, v)
    // Through the CSSOM: the CSP (style-src 'self') drops a style attribute set as markup.
    else if (k === 'style') el.style.cssText = String(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

export function time(iso, lang) {
  if (!iso) return '—'
  return new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })
}
