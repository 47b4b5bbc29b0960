import { loadPcscLite } from '@drivers/smartcard-pcsc'
import { type Pcscd, startPcscd } from '../../tests/support/pcscd.ts'

/** One slot of the demo's virtual PC/SC reader: a kiosk opens `readerName`; a card goes in through `vpcdPort`. */
export interface SscSlot {
  readerName: string
  vpcdPort: number
}

/**
 * How a demo kiosk's social-security card reader is made: a vpcd slot on the demo's pcscd (the real
 * driver, cards inserted from the panel), or the in-process status model when this machine cannot run
 * pcscd (the kiosk still shows the reader online; no card can go in).
 */
export type DemoSscReader = { kind: 'vpcd'; slot: SscSlot } | { kind: 'statusModel'; reason: string }

export interface DemoPcsc {
  /** The reader for the next kiosk that has one; the status model once the slots are used up. */
  nextReader(): DemoSscReader
  close(): Promise<void>
}

/**
 * A private pcscd with one vsmartcard-vpcd reader of two slots (tests/support/pcscd.ts), one per demo
 * kiosk with a social-security card reader. Without pcscd, vpcd or the PC/SC binding (or with another
 * pcscd running, whose socket path is the same), every kiosk gets the status model and the reason is
 * printed: the rest of the demo does not depend on it. `lockWaitMs`: how long to wait for a test's pcscd
 * to finish (default 0: the demo does not wait).
 */
export async function startDemoPcsc(options: { lockWaitMs?: number } = {}): Promise<DemoPcsc> {
  let pcscd: Pcscd | undefined
  let reason = ''
  try {
    pcscd = await startPcscd({ lockWaitMs: options.lockWaitMs ?? 0 })
    // The agents open the reader through @pokusew/pcsclite, an optional native addon that npm builds
    // only where libpcsclite-dev was installed first: check it loads.
    loadPcscLite()
  } catch (err) {
    reason = (err as Error).message.split('\n')[0] ?? String(err)
    await pcscd?.close().catch(() => undefined)
    pcscd = undefined
    console.log(`no PC/SC for the social-security card readers (${reason}); they are status models only`)
  }
  const slots: SscSlot[] = pcscd
    ? [0, 1].map((i) => ({ readerName: `${pcscd.readerName} 00 0${i}`, vpcdPort: pcscd.vpcdPort + i }))
    : []
  return {
    nextReader() {
      const slot = slots.shift()
      if (slot) return { kind: 'vpcd', slot }
      return { kind: 'statusModel', reason: pcscd ? 'both vpcd slots are taken' : reason }
    },
    async close() {
      await pcscd?.close()
    },
  }
}
