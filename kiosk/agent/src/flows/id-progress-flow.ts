import type { ReceiptDocument } from '@drivers/core'
import type { ApplicationProgress } from '../backends/department-backend.ts'
import { maskIdNumber } from '../sessions/citizen-session.ts'
import { backendFailure, type ServiceFlow, stepFail, stepOk } from './flow.ts'
import { printReceipt } from './print-steps.ts'

const STATUS_ZH: Record<ApplicationProgress['status'], string> = {
  accepted: '已受理',
  inReview: '审核中',
  approved: '已审批',
  readyForPickup: '待领取',
  completed: '已办结',
  rejected: '未通过',
}

/** 张三 → 张*, 欧阳娜娜 → 欧***: a receipt may be left behind, so it names nobody in full. */
export function maskName(name: string): string {
  const chars = [...name]
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`
}

export function progressReceipt(
  name: string,
  idNumber: string,
  items: ApplicationProgress[],
  now: Date,
): ReceiptDocument {
  const stamp = now.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
  return {
    name: 'id-progress',
    elements: [
      { type: 'text', text: '办理进度查询回执', align: 'center', bold: true, width: 2, height: 2 },
      { type: 'text', text: '花溪县公安局', align: 'center' },
      { type: 'separator' },
      { type: 'pair', left: '申请人', right: maskName(name) },
      { type: 'pair', left: '证件号码', right: maskIdNumber(idNumber) },
      { type: 'pair', left: '查询时间', right: stamp },
      { type: 'separator' },
      ...items.flatMap((a) => [
        { type: 'text' as const, text: a.matter, bold: true },
        { type: 'pair' as const, left: '受理编号', right: a.applicationNumber },
        { type: 'pair' as const, left: '状态', right: STATUS_ZH[a.status] },
        { type: 'pair' as const, left: '更新日期', right: a.updatedAt },
        ...(a.pickup ? [{ type: 'text' as const, text: `领取地点：${a.pickup}` }] : []),
        { type: 'separator' as const, char: '.' },
      ]),
      {
        type: 'qr',
        data: `https://zwfw.example.gov.cn/progress/${items[0]?.applicationNumber ?? ''}`,
        align: 'center',
      },
      { type: 'text', text: '扫码查看最新进度 · 咨询电话 12345', align: 'center' },
      { type: 'feed', lines: 3 },
      { type: 'cut', partial: true },
    ],
  }
}

/** 身份证一体机: read the ID card, show the progress of the citizen's applications, print a receipt. */
export const idProgressFlow: ServiceFlow = {
  serviceId: 'id-progress',
  identify: ['idCard'],
  needsCode: false,
  endsOnCardRemoval: true,
  async query(ctx) {
    const citizen = ctx.session.citizen
    if (!citizen) return stepFail('sequenceError', 'notIdentified', 'read the ID card first')
    const result = await ctx.backend.applicationProgress(citizen)
    if (!result.ok) return backendFailure(result.code, result.message)
    ctx.session.keep('applications', result.value)
    // Seeing the progress is the service; the receipt is optional.
    ctx.session.outcome = 'completed'
    return stepOk({
      kind: 'progress',
      items: result.value.map((a) => ({ ...a })),
      canPrint: ctx.devices.isAvailable('id-receipt'),
    })
  },
  async print(ctx) {
    const citizen = ctx.session.citizen
    const items = ctx.session.recall<ApplicationProgress[]>('applications')
    if (!citizen || !items) return stepFail('sequenceError', 'notQueried', 'query the progress first')
    if (!ctx.devices.isAvailable('id-receipt')) {
      return stepFail('deviceNotReady', 'serviceUnavailable', 'the receipt printer cannot print now')
    }
    const result = await printReceipt(ctx, progressReceipt(citizen.name, citizen.idNumber, items, new Date()))
    if (result.ok) ctx.session.outcome = 'completed'
    return result
  },
}
