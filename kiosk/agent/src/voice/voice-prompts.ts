import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { Logger } from 'pino'

const run = promisify(execFile)

/** espeak-ng voices: Mandarin and English. */
const VOICES = { zh: 'cmn', en: 'en' } as const
export type PromptLanguage = keyof typeof VOICES

export interface VoicePromptsOptions {
  /** The citizen UI's static dir: its js/i18n.js and js/identity/strings.js hold every prompt's words. */
  uiDir: string
  /** Where rendered WAVs are cached, e.g. {dataDir}/voice. */
  cacheDir: string
  /** Recorded prompts `{lang}/{key}.wav` from a vendor or department; they win over synthesis. */
  recordedDir?: string
  espeak: string
  logger: Logger
}

type Strings = Record<PromptLanguage, Record<string, unknown>>

/** A prompt key: a string entry of the UI's words, e.g. `placeCard` or `errors.cardExpired`. */
const KEY = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$/

/**
 * Voice prompts, offline: the UI's own words for a screen or an error, spoken by espeak-ng into a
 * WAV once and cached, or a recorded WAV in their place. Only fixed words have prompts (entries
 * that are functions take a name or a number and are never rendered), so no personal data is
 * ever spoken into a file.
 */
export class VoicePrompts {
  readonly #options: VoicePromptsOptions
  #strings: Promise<Strings> | undefined
  readonly #rendering = new Map<string, Promise<Uint8Array | undefined>>()

  constructor(options: VoicePromptsOptions) {
    this.#options = options
  }

  /** Every key that has words in both languages (what `bench`/tests render). */
  async keys(): Promise<string[]> {
    const strings = await this.#load()
    const keys: string[] = []
    for (const [k, v] of Object.entries(strings.zh)) {
      if (typeof v === 'string') keys.push(k)
      else if (k === 'errors' && v && typeof v === 'object') {
        for (const [e, w] of Object.entries(v)) if (typeof w === 'string') keys.push(`errors.${e}`)
      }
    }
    return keys.filter((k) => typeof this.#text(strings, 'en', k) === 'string')
  }

  /** The WAV for a prompt, or undefined when the key names no fixed words. */
  async wav(lang: string, key: string): Promise<Uint8Array | undefined> {
    if (!(lang in VOICES) || !KEY.test(key)) return undefined
    const language = lang as PromptLanguage
    const recorded = this.#options.recordedDir ? join(this.#options.recordedDir, language, `${key}.wav`) : undefined
    if (recorded && existsSync(recorded)) return readFileSync(recorded)
    const id = `${language}/${key}`
    let pending = this.#rendering.get(id)
    if (!pending) {
      pending = this.#render(language, key).finally(() => this.#rendering.delete(id))
      this.#rendering.set(id, pending)
    }
    return pending
  }

  async #render(lang: PromptLanguage, key: string): Promise<Uint8Array | undefined> {
    const file = join(this.#options.cacheDir, lang, `${key}.wav`)
    if (existsSync(file)) return readFileSync(file)
    const text = this.#text(await this.#load(), lang, key)
    if (typeof text !== 'string') return undefined
    mkdirSync(join(this.#options.cacheDir, lang), { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    try {
      await run(this.#options.espeak, ['-v', VOICES[lang], '-s', lang === 'zh' ? '150' : '155', '-w', tmp, text])
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
      this.#options.logger.error(
        { key, lang, err: missing ? undefined : err },
        missing ? 'espeak-ng missing: apt-get install espeak-ng' : 'voice prompt rendering failed',
      )
      return undefined
    }
    renameSync(tmp, file)
    return readFileSync(file)
  }

  #text(strings: Strings, lang: PromptLanguage, key: string): unknown {
    const [head, tail] = key.split('.') as [string, string | undefined]
    const value = strings[lang][head]
    if (tail === undefined) return value
    return value && typeof value === 'object' ? (value as Record<string, unknown>)[tail] : undefined
  }

  #load(): Promise<Strings> {
    this.#strings ??= (async () => {
      const base = (await import(pathToFileURL(join(this.#options.uiDir, 'js/i18n.js')).href)) as { STRINGS: Strings }
      const identity = (await import(pathToFileURL(join(this.#options.uiDir, 'js/identity/strings.js')).href)) as {
        withIdentityStrings: (s: Strings) => Strings
      }
      return identity.withIdentityStrings(base.STRINGS)
    })()
    return this.#strings
  }
}
