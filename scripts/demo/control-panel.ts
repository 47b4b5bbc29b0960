import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import {
  DEMO_CARDS,
  DEMO_SSC_CARDS,
  type DemoCardName,
  type DemoDeviceSet,
  type DemoSscCardName,
} from './demo-devices.ts'

export interface PanelKiosk {
  kioskId: string
  title: string
  dataDir: string
  devices: DemoDeviceSet
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const CARD_LABELS: Record<DemoCardName, string> = {
  'resident-zhang-san': '张三 (resident ID)',
  'hk-macau-taiwan': 'HK/Macau/Taiwan permit',
  'foreign-permanent': 'foreign permanent resident',
}

const SSC_CARD_LABELS: Record<DemoSscCardName, string> = {
  'wang-xiaoming': '王小明, PIN 123456',
  'pin-blocked-li-xiuying': '李秀英, PIN blocked 密码已锁',
}

/** The kiosk UI URL with its per-boot token, once the agent has written them. */
function uiLink(dataDir: string): string | undefined {
  const url = join(dataDir, 'ui-url')
  const token = join(dataDir, 'ui-token')
  if (!existsSync(url) || !existsSync(token)) return undefined
  return `${readFileSync(url, 'utf8').trim()}/#token=${readFileSync(token, 'utf8').trim()}`
}

function page(kiosks: PanelKiosk[], dashboard: string): string {
  const button = (kioskId: string, action: string, label: string) =>
    `<form method="post" action="/act/${esc(kioskId)}/${esc(action)}"><button>${esc(label)}</button></form>`
  const rows = kiosks
    .map((k) => {
      const link = uiLink(k.dataDir)
      const state = Object.entries(k.devices.describe())
        .map(([d, s]) => `<li><b>${esc(d)}</b>: ${esc(s)}</li>`)
        .join('')
      return `<section><h2>${esc(k.title)} <small>${esc(k.kioskId)}</small></h2>
        <p>${link ? `<a href="${esc(link)}" target="_blank" rel="noopener">Open the kiosk UI 打开自助机界面</a>` : 'agent starting…'}</p>
        <ul>${state}</ul>
        <div class="row">${DEMO_CARDS.map((c) => button(k.kioskId, `card-${c}`, `Place card: ${CARD_LABELS[c]}`)).join('')}
        ${button(k.kioskId, 'remove-card', 'Remove ID card 取走身份证')}
        ${k.devices.scanner ? button(k.kioskId, 'scan-notice', 'Scan licence notice QR 扫描领照通知书') : ''}</div>
        ${
          k.devices.sscCards.length > 0
            ? `<div class="row">${k.devices.sscCards
                .map((c) =>
                  button(k.kioskId, `ssc-${c}`, `Insert social-security card 插入社保卡: ${SSC_CARD_LABELS[c]}`),
                )
                .join('')}${button(k.kioskId, 'remove-ssc', 'Take out social-security card 取出社保卡')}</div>`
            : ''
        }
        <div class="row">${k.devices.receipt ? `${button(k.kioskId, 'paper-out', 'Receipt paper out 缺纸')}${button(k.kioskId, 'refill', 'Refill paper 装纸')}` : ''}
        ${button(k.kioskId, 'unplug-reader', 'Unplug reader 拔出读卡器')}${button(k.kioskId, 'replug-reader', 'Plug reader back 插回读卡器')}
        ${k.devices.receipt ? `${button(k.kioskId, 'unplug-receipt', 'Unplug receipt printer')}${button(k.kioskId, 'replug-receipt', 'Plug receipt printer back')}` : ''}</div>
      </section>`
    })
    .join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kiosk emulator panel</title>
<meta http-equiv="refresh" content="5"><style>
body{font-family:'Noto Sans CJK SC',sans-serif;margin:24px;background:#f4f7fb;color:#10202f}
section{background:#fff;border-radius:12px;padding:12px 20px;margin:12px 0}
.row{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
button{min-height:44px;padding:6px 14px;font:inherit;border:2px solid #0b4f8a;border-radius:8px;background:#fff;color:#0b4f8a;cursor:pointer}
small{color:#3b4a5a;font-weight:400}</style></head><body>
<h1>Kiosk emulator panel 模拟设备控制台</h1>
<p>Place an ID card, insert a social-security card, take the paper away or unplug a device, then watch the kiosk screen and the
<a href="${esc(dashboard)}" target="_blank" rel="noopener">fleet dashboard</a>.</p>${rows}</body></html>`
}

/** A small control panel for the demo's emulated devices (loopback only). */
export async function startControlPanel(options: {
  kiosks: PanelKiosk[]
  dashboardUrl: string
  port: number
}): Promise<{ url: string; server: Server }> {
  const byId = new Map(options.kiosks.map((k) => [k.kioskId, k]))
  const server = createServer((req, res) => {
    const match = /^\/act\/([^/]+)\/([a-z-]+)$/.exec(req.url ?? '')
    if (req.method === 'POST' && match) {
      const kiosk = byId.get(match[1] ?? '')
      const action = match[2] ?? ''
      const done = () => res.writeHead(303, { location: '/' }).end()
      if (!kiosk) return void res.writeHead(404).end()
      const d = kiosk.devices
      const run: Record<string, () => unknown> = {
        'remove-card': () => d.removeCard(),
        'remove-ssc': () => d.removeSsCard(),
        'scan-notice': () => d.scanNotice(),
        'paper-out': () => d.paperOut(),
        refill: () => d.refillPaper(),
        'unplug-reader': () => d.reader.unplug(),
        'replug-reader': () => d.reader.plugIn(),
        'unplug-receipt': () => d.receipt?.unplug(),
        'replug-receipt': () => d.receipt?.plugIn(),
      }
      const cardName = action.startsWith('card-') ? (action.slice(5) as DemoCardName) : undefined
      const sscName = action.startsWith('ssc-') ? (action.slice(4) as DemoSscCardName) : undefined
      if (sscName && DEMO_SSC_CARDS.includes(sscName)) run[action] = () => d.insertSsCard(sscName)
      if (cardName && DEMO_CARDS.includes(cardName)) d.placeCard(cardName)
      else if (run[action]) {
        Promise.resolve(run[action]())
          .catch((err: unknown) => console.log(`panel: ${action} failed: ${String(err)}`))
          .finally(done)
        return
      }
      return done()
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    res.end(page(options.kiosks, options.dashboardUrl))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => resolve())
  }).catch(
    () =>
      new Promise<void>((resolve) => {
        server.listen(0, '127.0.0.1', () => resolve())
      }),
  )
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/`, server }
}
