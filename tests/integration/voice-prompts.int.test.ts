import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { VoicePrompts, wavRms } from '@kiosk/agent/voice'
import pino from 'pino'
import { describe, expect, it } from 'vitest'

const UI_DIR = resolve(import.meta.dirname, '../../kiosk/ui/public')

describe('voice prompts: every screen and error spoken offline in Mandarin and English', () => {
  it('renders an audible WAV with espeak-ng for every prompt in both languages', async () => {
    const voice = new VoicePrompts({
      uiDir: UI_DIR,
      cacheDir: mkdtempSync(join(tmpdir(), 'voice-')),
      espeak: 'espeak-ng',
      logger: pino({ level: 'silent' }),
    })
    const keys = await voice.keys()
    // Screens, the take-your-card reminder and every error the UI can show.
    for (const key of ['placeCard', 'takeCardNow', 'faceTitle', 'errors.cardExpired', 'errors.faceLocked']) {
      expect(keys).toContain(key)
    }
    const silent: string[] = []
    for (const lang of ['zh', 'en']) {
      for (const key of keys) {
        const wav = await voice.wav(lang, key)
        if (!wav) throw new Error(`no audio for ${lang}/${key}: is espeak-ng installed (apt-get install espeak-ng)?`)
        const rms = wavRms(wav)
        if (rms < 0.01) silent.push(`${lang}/${key} rms ${rms.toFixed(4)}`)
      }
    }
    expect(silent).toEqual([])
    // Words that take a name or a number have no prompt; unknown keys neither.
    expect(await voice.wav('zh', 'hello')).toBeUndefined()
    expect(await voice.wav('zh', '../etc/passwd')).toBeUndefined()
    expect(await voice.wav('fr', 'placeCard')).toBeUndefined()
  }, 300_000)

  it('plays a recorded prompt a department supplied instead of the synthesised one', async () => {
    const recordedDir = mkdtempSync(join(tmpdir(), 'recorded-'))
    mkdirSync(join(recordedDir, 'zh'))
    // A 0.1 s 440 Hz tone as a 16-bit mono WAV stands in for the recording.
    const samples = 4410
    const wav = Buffer.alloc(44 + samples * 2)
    wav.write('RIFF', 0, 'latin1')
    wav.writeUInt32LE(36 + samples * 2, 4)
    wav.write('WAVEfmt ', 8, 'latin1')
    wav.writeUInt32LE(16, 16)
    wav.writeUInt16LE(1, 20)
    wav.writeUInt16LE(1, 22)
    wav.writeUInt32LE(44100, 24)
    wav.writeUInt32LE(88200, 28)
    wav.writeUInt16LE(2, 32)
    wav.writeUInt16LE(16, 34)
    wav.write('data', 36, 'latin1')
    wav.writeUInt32LE(samples * 2, 40)
    for (let i = 0; i < samples; i++)
      wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 44100)), 44 + i * 2)
    writeFileSync(join(recordedDir, 'zh', 'placeCard.wav'), wav)
    const voice = new VoicePrompts({
      uiDir: UI_DIR,
      cacheDir: mkdtempSync(join(tmpdir(), 'voice-')),
      recordedDir,
      espeak: 'espeak-ng',
      logger: pino({ level: 'silent' }),
    })
    const played = await voice.wav('zh', 'placeCard')
    expect(Buffer.from(played ?? new Uint8Array()).equals(readFileSync(join(recordedDir, 'zh', 'placeCard.wav')))).toBe(
      true,
    )
    expect(wavRms(played ?? new Uint8Array())).toBeGreaterThan(0.1)
  })
})
