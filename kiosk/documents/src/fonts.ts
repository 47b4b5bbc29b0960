import { existsSync } from 'node:fs'
import { AppError } from '@drivers/core'

/**
 * Chinese fonts come from Debian's fonts-noto-cjk (SIL OFL 1.1): Noto Serif CJK for body text
 * (the 宋体 look of official documents) and Noto Sans CJK Bold for titles (黑体). They are OpenType
 * collections; pdfkit picks the Simplified Chinese face by PostScript name and embeds a subset.
 */
export interface FontFace {
  path: string
  postscriptName: string
}

export interface CjkFonts {
  body: FontFace
  title: FontFace
}

export const debianNotoCjk: CjkFonts = {
  body: { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', postscriptName: 'NotoSerifCJKsc-Regular' },
  title: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', postscriptName: 'NotoSansCJKsc-Bold' },
}

export const DocumentErrorCodes = {
  fontMissing: 'ERR_KIOSK_DOCUMENT_FONT_MISSING',
} as const

export function checkFonts(fonts: CjkFonts): void {
  for (const face of [fonts.body, fonts.title]) {
    if (!existsSync(face.path)) {
      throw new AppError(DocumentErrorCodes.fontMissing, `${face.path} is missing: apt-get install fonts-noto-cjk`, {
        context: { path: face.path },
      })
    }
  }
}
