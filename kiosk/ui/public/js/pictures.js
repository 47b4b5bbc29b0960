/** Static illustrations: where the card goes, what the printer gives back, service icons. */

/** A kiosk seen from the front: the card lies flat on the reader under the screen. */
export const PLACE_CARD = `
<svg viewBox="0 0 360 300" width="360" height="300" role="img" aria-labelledby="pc-title" class="picture">
  <title id="pc-title">身份证放在屏幕下方的感应区 / ID card flat on the reader below the screen</title>
  <rect x="60" y="10" width="240" height="150" rx="12" fill="#e8eef6" stroke="#1d3b66" stroke-width="4"/>
  <rect x="80" y="28" width="200" height="112" rx="6" fill="#fff" stroke="#1d3b66" stroke-width="2"/>
  <rect x="40" y="170" width="280" height="110" rx="14" fill="#e8eef6" stroke="#1d3b66" stroke-width="4"/>
  <rect x="110" y="196" width="140" height="64" rx="8" fill="#fff7d6" stroke="#b36b00" stroke-width="4" stroke-dasharray="10 6"/>
  <g class="card-move">
    <rect x="122" y="200" width="116" height="56" rx="6" fill="#d6ecff" stroke="#0b4f8a" stroke-width="3"/>
    <rect x="130" y="210" width="26" height="34" rx="3" fill="#9fc3e6"/>
    <rect x="164" y="214" width="64" height="7" rx="3" fill="#0b4f8a"/>
    <rect x="164" y="228" width="50" height="7" rx="3" fill="#0b4f8a"/>
  </g>
  <path d="M300 110 C 330 140, 320 190, 262 222" fill="none" stroke="#b36b00" stroke-width="5" marker-end="url(#arrow)"/>
  <defs><marker id="arrow" markerWidth="10" markerHeight="10" refX="6" refY="5" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#b36b00"/></marker></defs>
</svg>`

export const TAKE_PAPER = `
<svg viewBox="0 0 240 160" width="240" height="160" role="img" aria-labelledby="tp-title" class="picture">
  <title id="tp-title">在出纸口取走打印件 / Take the paper from the slot</title>
  <rect x="20" y="60" width="200" height="80" rx="12" fill="#e8eef6" stroke="#1d3b66" stroke-width="4"/>
  <rect x="60" y="86" width="120" height="10" rx="4" fill="#1d3b66"/>
  <rect x="80" y="20" width="80" height="76" fill="#fff" stroke="#1d3b66" stroke-width="3"/>
  <rect x="92" y="34" width="56" height="6" fill="#1d3b66"/><rect x="92" y="48" width="44" height="6" fill="#1d3b66"/>
</svg>`

export const OUT_OF_SERVICE = `
<svg viewBox="0 0 160 160" width="160" height="160" role="img" aria-labelledby="oos-title" class="picture">
  <title id="oos-title">暂停服务 / Out of service</title>
  <circle cx="80" cy="80" r="70" fill="#fff4e5" stroke="#8a4b00" stroke-width="8"/>
  <rect x="72" y="36" width="16" height="60" rx="6" fill="#8a4b00"/>
  <circle cx="80" cy="118" r="9" fill="#8a4b00"/>
</svg>`

export const SERVICE_ICONS = {
  'id-progress': `<svg viewBox="0 0 64 64" width="64" height="64" aria-hidden="true"><rect x="4" y="12" width="56" height="40" rx="6" fill="#d6ecff" stroke="#0b4f8a" stroke-width="3"/><rect x="10" y="20" width="16" height="22" rx="2" fill="#0b4f8a"/><rect x="30" y="22" width="24" height="4" fill="#0b4f8a"/><rect x="30" y="32" width="18" height="4" fill="#0b4f8a"/></svg>`,
  'license-print': `<svg viewBox="0 0 64 64" width="64" height="64" aria-hidden="true"><rect x="10" y="4" width="44" height="56" rx="3" fill="#fff" stroke="#8a1c1c" stroke-width="3"/><circle cx="32" cy="22" r="8" fill="none" stroke="#8a1c1c" stroke-width="3"/><rect x="18" y="38" width="28" height="4" fill="#8a1c1c"/><rect x="18" y="46" width="22" height="4" fill="#8a1c1c"/></svg>`,
  'tax-certificate': `<svg viewBox="0 0 64 64" width="64" height="64" aria-hidden="true"><rect x="10" y="4" width="44" height="56" rx="3" fill="#fff" stroke="#1d5e2f" stroke-width="3"/><text x="32" y="38" text-anchor="middle" font-size="22" fill="#1d5e2f" font-weight="bold">¥</text></svg>`,
  'ss-certificate': `<svg viewBox="0 0 64 64" width="64" height="64" aria-hidden="true"><rect x="4" y="12" width="56" height="40" rx="6" fill="#e6f4ea" stroke="#1d5e2f" stroke-width="3"/><rect x="10" y="20" width="12" height="10" rx="2" fill="#c9a227"/><rect x="10" y="38" width="40" height="4" fill="#1d5e2f"/></svg>`,
}
