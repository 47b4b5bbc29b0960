import type { ScanFormat, ScanMode, ScanOptions, ScanSource } from '@drivers/core'

/** Backend option values: SANE's well-known names (SANE standard §4.5.2), overridable per model. */
export interface SaneOptionNames {
  modes: Record<ScanMode, string>
  sources: Record<ScanSource, string>
}

export const DEFAULT_OPTION_NAMES: SaneOptionNames = {
  modes: { color: 'Color', gray: 'Gray', lineart: 'Lineart' },
  sources: { flatbed: 'Flatbed', adf: 'Automatic Document Feeder' },
}

const FORMATS: readonly ScanFormat[] = ['png', 'pdf', 'jpeg', 'tiff', 'pnm']

/**
 * scanimage arguments for one scan. The resolution is always given: without it some backends
 * (the test backend among them) scan a 1×1 image (§4 gotcha). ADF scans use `--batch` with a
 * `%d` page pattern. Bad options throw TypeError naming the field.
 */
export function scanArgs(
  device: string,
  outPattern: string,
  options: ScanOptions = {},
  names: SaneOptionNames = DEFAULT_OPTION_NAMES,
  extraArgs: readonly string[] = [],
): string[] {
  const resolution = options.resolution ?? 150
  if (!Number.isInteger(resolution) || resolution < 1 || resolution > 9600) {
    throw new TypeError(`ScanOptions.resolution must be 1..9600 dpi, got ${resolution}`)
  }
  const format = options.format ?? formatOf(outPattern)
  if (!FORMATS.includes(format)) throw new TypeError(`ScanOptions.format must be one of ${FORMATS.join(', ')}`)
  const mode = options.mode ?? 'color'
  if (!(mode in names.modes)) throw new TypeError(`ScanOptions.mode must be color, gray or lineart, got ${mode}`)
  const source = options.source ?? 'flatbed'
  if (!(source in names.sources)) throw new TypeError(`ScanOptions.source must be flatbed or adf, got ${source}`)
  if (options.maxPages !== undefined && !(Number.isInteger(options.maxPages) && options.maxPages > 0)) {
    throw new TypeError('ScanOptions.maxPages must be a positive integer')
  }
  const args = ['-d', device, '--mode', names.modes[mode], '--resolution', String(resolution), `--format=${format}`]
  if (source === 'adf') {
    if (!outPattern.includes('%d')) throw new TypeError('an ADF scan needs an output pattern with %d, e.g. page-%d.png')
    args.push('--source', names.sources.adf, `--batch=${outPattern}`)
    if (options.maxPages !== undefined) args.push(`--batch-count=${options.maxPages}`)
  } else {
    // Flatbed-only backends have no --source option at all, so the default source is left alone.
    args.push('-o', outPattern)
  }
  return [...args, ...extraArgs]
}

/** Format from the file extension (`.png`, `.pdf`, `.jpg`…); png when unknown. */
export function formatOf(path: string): ScanFormat {
  const ext = path.toLowerCase().split('.').at(-1)
  if (ext === 'pdf') return 'pdf'
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg'
  if (ext === 'tif' || ext === 'tiff') return 'tiff'
  if (ext === 'pnm' || ext === 'pgm' || ext === 'ppm') return 'pnm'
  return 'png'
}

/** Pages scanimage reports on stderr in batch mode: `Scanned page 3. (scanner status = 5)`. */
export function scannedPageNumber(stderrLine: string): number | undefined {
  const match = /^Scanned page (\d+)\./.exec(stderrLine.trim())
  return match ? Number(match[1]) : undefined
}
