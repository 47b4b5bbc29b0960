/**
 * The kiosk's Debian package, built with dpkg-deb (no debhelper):
 *
 *   /opt/kiosk-fleet/bin/          the built launcher, agent, kiosk-agent-enrol, kiosk-devices, kiosk-chromium.sh
 *   /opt/kiosk-fleet/kiosk/        the citizen UI and the display's out-of-service page
 *   /opt/kiosk-fleet/node_modules/ what the bundles import, native bindings as built on this machine
 *   /lib/systemd/system/           kiosk-launcher.service, kiosk-display.service (cage + Chromium)
 *   /lib/udev/rules.d/             70-kiosk-fleet.rules, generated from drivers/registry
 *   /etc/kiosk-fleet/kiosk.json    the kiosk's config (conffile), /etc/logrotate.d, /etc/pam.d
 *   maintainer scripts             `kiosk` system user; /var/lib/kiosk-fleet kept on upgrade and remove
 *
 *   npm run package:deb -- --version 0.2.0 [--out dist/packages] [--compression gzip]
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { allDefinitions } from '@drivers/registry'
import { buildAll, STATIC_DIRS } from '../build/build.ts'
import { copyRuntimeModules, directorySize, externalsOf } from '../build/runtime-modules.ts'
import { udevRules } from './udev-rules.ts'

const root = resolve(import.meta.dirname, '../..')
const deb = join(root, 'packaging/deb')
export const KIOSK_PACKAGE = 'kiosk-fleet-kiosk'
const BINS = ['kiosk-launcher', 'kiosk-agent', 'kiosk-agent-enrol', 'kiosk-devices']
const CONFFILES = ['/etc/kiosk-fleet/kiosk.json', '/etc/logrotate.d/kiosk-fleet', '/etc/pam.d/kiosk-display']

export interface BuiltDeb {
  file: string
  version: string
  /** Installed-Size as dpkg records it, in KiB. */
  installedKiB: number
  skippedOptional: string[]
}

function debianArch(): string {
  return execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim()
}

export interface KioskDebOptions {
  /** One package per version from the same build (the packaging check builds N and N+1). */
  versions: string[]
  outDir: string
  /** dpkg-deb compression: xz (smallest, slow) for releases, gzip for quick checks. */
  compression?: 'xz' | 'gzip'
}

export async function buildKioskDebs(options: KioskDebOptions): Promise<BuiltDeb[]> {
  for (const version of options.versions) {
    if (!/^\d+\.\d+\.\d+([~+.-][0-9A-Za-z.~+-]+)?$/.test(version)) throw new Error(`bad package version ${version}`)
  }
  mkdirSync(join(root, '.tmp'), { recursive: true })
  const work = mkdtempSync(join(root, '.tmp', 'deb-'))
  try {
    const build = join(work, 'build')
    await buildAll(build)
    const pkg = join(work, 'pkg')
    const opt = join(pkg, 'opt/kiosk-fleet')
    for (const bin of BINS) {
      for (const suffix of ['.mjs', '.mjs.map']) {
        cpSync(join(build, 'bin', bin + suffix), join(opt, 'bin', bin + suffix))
      }
    }
    cpSync(join(root, 'scripts/kiosk-chromium.sh'), join(opt, 'bin/kiosk-chromium.sh'))
    for (const dir of STATIC_DIRS) cpSync(join(build, dir), join(opt, dir), { recursive: true })
    cpSync(join(root, 'kiosk/shell/public'), join(opt, 'kiosk/shell/public'), { recursive: true })
    const modules = copyRuntimeModules(externalsOf(build, BINS), join(opt, 'node_modules'))
    mkdirSync(join(pkg, 'usr/bin'), { recursive: true })
    for (const tool of ['kiosk-agent-enrol', 'kiosk-devices']) {
      symlinkSync(`/opt/kiosk-fleet/bin/${tool}.mjs`, join(pkg, 'usr/bin', tool))
    }

    const units = join(pkg, 'lib/systemd/system')
    mkdirSync(units, { recursive: true })
    for (const unit of ['kiosk-launcher.service', 'kiosk-display.service'])
      cpSync(join(deb, 'systemd', unit), join(units, unit))
    mkdirSync(join(pkg, 'lib/udev/rules.d'), { recursive: true })
    writeFileSync(join(pkg, 'lib/udev/rules.d/70-kiosk-fleet.rules'), udevRules(allDefinitions))
    cpSync(join(deb, 'etc/kiosk.json'), join(pkg, 'etc/kiosk-fleet/kiosk.json'))
    cpSync(join(deb, 'etc/logrotate'), join(pkg, 'etc/logrotate.d/kiosk-fleet'))
    cpSync(join(deb, 'etc/pam-kiosk-display'), join(pkg, 'etc/pam.d/kiosk-display'))

    const installedKiB = Math.ceil(directorySize(pkg) / 1024)
    const control = join(pkg, 'DEBIAN')
    mkdirSync(control)
    writeFileSync(join(control, 'conffiles'), `${CONFFILES.join('\n')}\n`)
    for (const script of ['postinst', 'prerm', 'postrm']) {
      cpSync(join(deb, 'DEBIAN', script), join(control, script))
      chmodSync(join(control, script), 0o755)
    }
    mkdirSync(options.outDir, { recursive: true })
    const compression = options.compression === 'gzip' ? ['-Zgzip', '-z1'] : ['-Zxz', '-z6']
    return options.versions.map((version) => {
      writeFileSync(
        join(control, 'control'),
        [
          `Package: ${KIOSK_PACKAGE}`,
          `Version: ${version}`,
          `Architecture: ${debianArch()}`,
          'Maintainer: Kiosk fleet maintainers <kiosk-fleet@example.gov.cn>',
          `Installed-Size: ${installedKiB}`,
          'Depends: nodejs (>= 20.12), adduser, logrotate',
          'Recommends: cage, chromium, pcscd, libusb-1.0-0, cups-ipp-utils',
          'Section: misc',
          'Priority: optional',
          'Description: government self-service kiosk: agent, launcher and kiosk display',
          ' The kiosk agent drives the peripherals (ID-card readers, receipt and A4 printers, scanners),',
          ' serves the citizen UI and reports to the fleet over MQTT; the launcher runs the current signed',
          ' app release and rolls back one that cannot start; the display runs Chromium in the cage',
          ' Wayland kiosk compositor.',
          '',
        ].join('\n'),
      )
      const file = join(options.outDir, `${KIOSK_PACKAGE}_${version}_${debianArch()}.deb`)
      execFileSync('dpkg-deb', ['--root-owner-group', ...compression, '--build', pkg, file], { stdio: 'pipe' })
      return { file, version, installedKiB, skippedOptional: modules.skipped }
    })
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

const invoked = process.argv[1]
if (invoked !== undefined && resolve(invoked) === import.meta.filename) {
  const { values } = parseArgs({
    options: {
      version: { type: 'string', multiple: true },
      out: { type: 'string', default: join(root, 'dist/packages') },
      compression: { type: 'string', default: 'xz' },
    },
  })
  if (values.version === undefined || !['xz', 'gzip'].includes(values.compression)) {
    process.stderr.write('usage: build-deb.ts --version X.Y.Z [--version …] [--out DIR] [--compression xz|gzip]\n')
    process.exit(2)
  }
  const built = await buildKioskDebs({
    versions: values.version,
    outDir: resolve(values.out),
    compression: values.compression as 'xz' | 'gzip',
  })
  for (const b of built) console.log(`${b.file}\n  installed size ${(b.installedKiB / 1024).toFixed(1)} MiB`)
  const skipped = built[0]?.skippedOptional ?? []
  if (skipped.length > 0) console.log(`  without (not installed here): ${skipped.join(', ')}`)
}
