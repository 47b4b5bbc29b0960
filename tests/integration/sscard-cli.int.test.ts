import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CliProcess, runCli, startCli } from '../support/cli.ts'
import { type Pcscd, startPcscd } from '../support/pcscd.ts'
import { waitFor } from '../support/wait-for.ts'

let pcscd: Pcscd
const running: CliProcess[] = []
beforeAll(async () => {
  pcscd = await startPcscd()
})
afterAll(async () => {
  await pcscd?.close()
})
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop()
})

async function emulateCard(): Promise<void> {
  const emulator = startCli(['emulate', 'sscard', '--port', String(pcscd.vpcdPort)])
  running.push(emulator)
  await waitFor('the virtual card', () => emulator.stderr().includes('inserted'), 20_000)
}

describe('kiosk-devices sscard read ↔ emulate sscard through pcscd + vpcd', () => {
  it('prints the card identification and, with the PIN, the holder', async () => {
    await emulateCard()
    const env = { ...process.env, KIOSK_SSCARD_PIN: '123456' }
    const run = await runCli(['sscard', 'read', '--reader', pcscd.readerName, '--holder', '--json'], env)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const card = JSON.parse(run.stdout) as { info: { cardNumber: string }; holder: { name: string } }
    expect(card.info.cardNumber).toBe('A52010012')
    expect(card.holder.name).toBe('王小明')
  })

  it('exits 6 on a wrong PIN without echoing it', async () => {
    await emulateCard()
    const env = { ...process.env, KIOSK_SSCARD_PIN: '864209' }
    const run = await runCli(['sscard', 'read', '--reader', pcscd.readerName, '--holder', '--log-level', 'trace'], env)
    expect(run.code).toBe(6)
    expect(run.stderr).toMatch(/wrong PIN/)
    expect(run.stderr + run.stdout).not.toContain('864209')
  })

  it('exits 5 when no card comes', async () => {
    const run = await runCli(['sscard', 'read', '--reader', pcscd.readerName, '--timeout', '1500'])
    expect(run.code).toBe(5)
  })
})
