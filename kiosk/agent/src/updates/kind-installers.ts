import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '@drivers/core'
import type { CatalogueOverlay } from '../catalogue/catalogue-overlay.ts'
import type { CatalogueStore } from '../catalogue/catalogue-store.ts'
import { updateCapabilitiesOf } from '../devices/device-updates.ts'
import type { Peripheral } from '../devices/peripheral.ts'
import { writeFileAtomic } from '../fs/atomic-write.ts'
import type { AbInstaller } from './ab-installer.ts'
import { UpdateErrorCodes } from './update-errors.ts'
import type { UpdateInstaller } from './update-state-machine.ts'

/**
 * App releases through the A/B installer. A kiosk that never installed a release runs its image's
 * own version (`baseVersion`, config.appVersion): rolling back to it removes the `current` pointer.
 */
export function appInstaller(ab: AbInstaller, root: string, baseVersion: string): UpdateInstaller {
  return {
    currentVersion: () => ab.currentVersion() ?? baseVersion,
    install: (version, stagedPath) => ab.install(version, stagedPath),
    switchTo: (version) => ab.switchTo(version),
    rollbackTo: (version) => {
      if (ab.currentVersion() === undefined && version === baseVersion) return
      if (ab.currentVersion() !== undefined && !ab.hasRelease(version) && version === baseVersion) {
        const current = join(root, 'current')
        if (lstatSync(current).isSymbolicLink()) rmSync(current)
        return
      }
      ab.rollbackTo(version)
    },
    gc: () => ab.gc(),
  }
}

/**
 * Firmware through the peripheral's `updateFirmware`. The installed "version" is what the device
 * reports after flashing; there is no image of the old firmware to go back to, so a rollback only
 * succeeds when the device still runs the previous version (the flash did not take).
 */
export function firmwareInstaller(peripheral: Peripheral): UpdateInstaller {
  return {
    currentVersion: () => peripheral.identity.firmware || undefined,
    async install(version, stagedPath) {
      const { updateFirmware } = updateCapabilitiesOf(peripheral)
      if (updateFirmware === undefined) {
        throw new AppError(UpdateErrorCodes.unsupported, `${peripheral.deviceId} cannot update its firmware`)
      }
      if (peripheral.identity.firmware === version) return
      const result = await updateFirmware(new Uint8Array(await readFile(stagedPath)))
      if (!result.ok) {
        throw new AppError(UpdateErrorCodes.deviceFailed, `${peripheral.deviceId}: ${result.error.message}`, {
          context: { deviceId: peripheral.deviceId, failure: result.error.code, detail: result.error.detail },
        })
      }
      // Birth and health report what the device says it runs now.
      peripheral.identity.firmware = result.value.firmware
    },
    switchTo: () => undefined,
    rollbackTo(version) {
      if (peripheral.identity.firmware !== version) {
        throw new AppError(
          UpdateErrorCodes.rollbackFailed,
          `${peripheral.deviceId} runs firmware ${peripheral.identity.firmware}; ${version} cannot be restored remotely`,
        )
      }
    },
    gc: () => [],
  }
}

/** What the update agent needs of the catalogue: one installer per department, and its health check. */
export interface CatalogueUpdates {
  installer(department: string): UpdateInstaller
  /** The kiosk runs `department`'s bundle `version`, or has it staged for the end of the session. */
  loaded(department: string, version: string): boolean
}

/**
 * A department's catalogue bundles through the overlay (validated with the whole catalogue before a
 * byte is written, kept with the previous one) and the store, which swaps the catalogue between
 * citizen sessions: no restart, and the update gate already waits for an idle kiosk.
 */
export function catalogueUpdates(overlay: CatalogueOverlay, store: CatalogueStore): CatalogueUpdates {
  const running = (digest: string) => store.catalogue.digest === digest || store.stagedDigest === digest
  return {
    installer: (department) => ({
      currentVersion: () => overlay.currentVersion(department),
      async install(version, stagedPath) {
        const bytes = new Uint8Array(await readFile(stagedPath))
        store.stage(overlay.install(department, version, bytes))
      },
      switchTo: () => undefined,
      rollbackTo(version) {
        store.stage(overlay.rollbackTo(department, version))
      },
      gc: () => overlay.gc(),
    }),
    loaded(department, version) {
      if (overlay.currentVersion(department) !== version) return false
      return running(overlay.compose().digest)
    },
  }
}

/** The version name of the settings a device had before the fleet configured it. */
export const DEVICE_SETTINGS = 'device-settings'

interface AppliedConfig {
  version: string
  config: Record<string, unknown>
}

interface ConfigMarker {
  current?: AppliedConfig
  previous?: AppliedConfig
}

/**
 * Configuration through the peripheral's `applyConfig`. `<dir>/<deviceId>.json` keeps the applied
 * config and the one before it, written before applying, so a rollback (also after a power loss)
 * re-applies the previous configuration.
 */
export function configInstaller(peripheral: Peripheral, dir: string): UpdateInstaller & { applied(): ConfigMarker } {
  const file = join(dir, `${peripheral.deviceId}.json`)
  const load = (): ConfigMarker => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ConfigMarker) : {})
  const save = (marker: ConfigMarker) => {
    mkdirSync(dir, { recursive: true })
    writeFileAtomic(file, `${JSON.stringify(marker)}\n`)
  }
  const apply = async (config: Record<string, unknown>, code: string) => {
    const { applyConfig } = updateCapabilitiesOf(peripheral)
    if (applyConfig === undefined) {
      throw new AppError(UpdateErrorCodes.unsupported, `${peripheral.deviceId} takes no configuration`)
    }
    const result = await applyConfig(config)
    if (!result.ok) {
      throw new AppError(code, `${peripheral.deviceId} refused the configuration: ${result.error.message}`, {
        context: { deviceId: peripheral.deviceId, failure: result.error.code, detail: result.error.detail },
      })
    }
  }
  return {
    applied: load,
    currentVersion: () => load().current?.version ?? DEVICE_SETTINGS,
    async install(version, stagedPath) {
      let config: unknown
      try {
        config = JSON.parse(await readFile(stagedPath, 'utf8'))
      } catch (err) {
        throw new AppError(UpdateErrorCodes.installFailed, `config ${version} is not JSON`, { cause: err })
      }
      if (typeof config !== 'object' || config === null || Array.isArray(config)) {
        throw new AppError(UpdateErrorCodes.installFailed, `config ${version} is not a JSON object`)
      }
      let marker = load()
      if (marker.current === undefined) {
        // The first configuration from the fleet: keep what the device has now, to roll back to.
        const { readConfig } = updateCapabilitiesOf(peripheral)
        const now = readConfig ? await readConfig() : undefined
        if (now?.ok) marker = { current: { version: DEVICE_SETTINGS, config: now.value } }
      }
      // Re-entered after a power loss: the marker already names this version, keep its `previous`.
      const next: ConfigMarker =
        marker.current?.version === version
          ? marker
          : {
              current: { version, config: config as Record<string, unknown> },
              ...(marker.current ? { previous: marker.current } : {}),
            }
      save(next)
      await apply(config as Record<string, unknown>, UpdateErrorCodes.deviceFailed)
    },
    switchTo: () => undefined,
    async rollbackTo(version) {
      const marker = load()
      if (marker.current?.version === version) return
      if (marker.previous?.version !== version) {
        throw new AppError(
          UpdateErrorCodes.rollbackFailed,
          `no configuration ${version} kept for ${peripheral.deviceId}`,
        )
      }
      await apply(marker.previous.config, UpdateErrorCodes.rollbackFailed)
      save({ current: marker.previous })
    },
    gc: () => [],
  }
}
