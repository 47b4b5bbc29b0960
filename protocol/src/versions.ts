/**
 * Compares versions numerically part by part (`1.10.0` > `1.9.2`), semver-style: a pre-release
 * (`1.2.0-rc.1`) sorts before its release, build metadata (`+…`) is ignored, and a non-numeric part
 * compares as text. Returns a negative number, 0 or a positive number.
 */
export function compareVersions(a: string, b: string): number {
  const [mainA = '', preA] = splitVersion(a)
  const [mainB = '', preB] = splitVersion(b)
  const main = compareParts(mainA.split('.'), mainB.split('.'), true)
  if (main !== 0) return main
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1
  return compareParts(preA.split('.'), preB.split('.'), false)
}

function splitVersion(v: string): [string, string | undefined] {
  const withoutBuild = v.trim().replace(/^v/i, '').split('+')[0] ?? ''
  const dash = withoutBuild.indexOf('-')
  return dash < 0 ? [withoutBuild, undefined] : [withoutBuild.slice(0, dash), withoutBuild.slice(dash + 1)]
}

function compareParts(a: string[], b: string[], padWithZero: boolean): number {
  const n = Math.max(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? (padWithZero ? '0' : undefined)
    const y = b[i] ?? (padWithZero ? '0' : undefined)
    if (x === undefined) return -1
    if (y === undefined) return 1
    const nx = /^\d+$/.test(x) ? Number(x) : undefined
    const ny = /^\d+$/.test(y) ? Number(y) : undefined
    if (nx !== undefined && ny !== undefined) {
      if (nx !== ny) return nx - ny
    } else if (nx !== undefined) return -1
    else if (ny !== undefined) return 1
    else if (x !== y) return x < y ? -1 : 1
  }
  return 0
}
