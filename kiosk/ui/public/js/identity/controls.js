import { h } from '../dom.js'

/**
 * The citizen's own settings, low on the screen (reachable seated or from a wheelchair): language,
 * 长辈模式, voice on/off and volume. They last for one citizen; the next one starts from the defaults.
 */
export function controlBar(t, s, voice, act) {
  const toggle = (id, label, pressed, onclick, lang) =>
    h(
      'button',
      { type: 'button', class: 'btn small', id, 'aria-pressed': String(pressed), onclick, ...(lang ? { lang } : {}) },
      label,
    )
  return h(
    'nav',
    { class: 'controls', 'aria-label': 'settings' },
    toggle('lang', t.language, false, act.toggleLanguage, s.lang === 'zh' ? 'en' : 'zh'),
    toggle('elderly', s.elderly ? t.elderlyOff : t.elderlyOn, s.elderly, act.toggleElderly),
    toggle('voice', voice.enabled ? t.voiceOn : t.voiceOff, voice.enabled, act.toggleVoice),
    h(
      'label',
      { class: 'volume' },
      t.volume,
      h('input', {
        type: 'range',
        id: 'volume',
        min: '0',
        max: '100',
        step: '10',
        value: String(Math.round(voice.volume * 100)),
        oninput: (e) => act.setVolume(Number(e.target.value) / 100),
      }),
    ),
  )
}
