import { DeviceClass, DeviceStatus, Id, LogConfig, MachineType, Site, TlsFilesConfig } from '@kiosk-fleet/protocol'
import { type Static, Type } from '@sinclair/typebox'
import { IdentityConfig } from '../identity/identity-config.ts'

/** A status step of an emulated peripheral's script: after `afterMs` from start, take `status`. */
const ScriptStep = Type.Object(
  { afterMs: Type.Integer({ minimum: 0 }), status: DeviceStatus },
  { additionalProperties: false },
)

/**
 * A peripheral that exists only in-process: a status model, optionally driven by a script of
 * status steps, with emulated settings and firmware. For the demo and tests of classes no driver
 * opens; always asked for by name (`emulated`), never a fallback.
 */
const EmulatedDevice = Type.Object(
  {
    deviceClass: DeviceClass,
    vendor: Type.String({ minLength: 1 }),
    model: Type.String({ minLength: 1 }),
    initialStatus: Type.Optional(DeviceStatus),
    /** Status changes played once, in order, to show faults reaching the fleet. */
    script: Type.Optional(Type.Array(ScriptStep, { maxItems: 100 })),
    loopScriptMs: Type.Optional(Type.Integer({ minimum: 1000, description: 'replay the script with this period' })),
  },
  { additionalProperties: false },
)

/**
 * One peripheral: a registry model and where it is, plus what only its label knows. Class, vendor,
 * model name, driver and transport defaults come from the model file
 * (drivers/registry/models/<vendor>/<model>.json). Exactly one of `model` and `emulated`.
 */
export const PeripheralConfig = Type.Object(
  {
    deviceId: Id,
    /** Device-registry model id, e.g. `generic-sam-v-uart`, `epson-tm-t88v`, `generic-ipp-everywhere`. */
    model: Type.Optional(Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' })),
    /**
     * Where the device is: a serial path (`/dev/serial/by-id/…`, a pty), `tcp://host:port`,
     * `hid:/dev/hidrawN`, `hid:VVVV:PPPP`, `usb:VVVV:PPPP`, an IPP URL, a PC/SC reader name or a
     * SANE device name. May be left out for a USB model (its registry ids are used) or PC/SC (the first reader).
     */
    address: Type.Optional(Type.String({ minLength: 1 })),
    /** An in-process status model instead of a driver (demo and tests). */
    emulated: Type.Optional(EmulatedDevice),
    serial: Type.String({ default: '' }),
    firmware: Type.String({ default: '' }),
    /** The device's hardware revision from its label; firmware is only rolled out to the revisions it names. */
    hwRevision: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    /** This unit's baud rate when it differs from the model's default. */
    baudRate: Type.Optional(Type.Integer({ minimum: 1200, maximum: 921_600 })),
    /** How often the device manager asks a device that does not report by itself (IPP, SANE), ms. */
    statusPollMs: Type.Optional(Type.Integer({ minimum: 100, default: 5000 })),
    /** Receipt printers: this unit's paper roll length, mm, when it differs from the model's (paper forecast). */
    rollLengthMm: Type.Optional(Type.Integer({ minimum: 1000, maximum: 500_000 })),
    /** A4 printers: this unit's tray capacity, sheets, when it differs from the model's (paper forecast). */
    trayCapacitySheets: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
)
export type PeripheralConfig = Static<typeof PeripheralConfig>

/** The citizen UI and its local device API (XFS4IoT-style WebSocket), on loopback only. */
const UiConfig = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    host: Type.Union([Type.Literal('127.0.0.1'), Type.Literal('::1')], {
      default: '127.0.0.1',
      description: 'loopback only: the local device API is never reachable from the network',
    }),
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 0,
      description: '0: any free port; the URL is written to {dataDir}/ui-url for the shell',
    }),
    /** Directory of the citizen UI's static files; default: the kiosk/ui package. */
    staticDir: Type.Optional(Type.String({ minLength: 1 })),
    idleTimeoutMs: Type.Integer({
      minimum: 21_000,
      default: 90_000,
      description: 'no touch for this long ends the session',
    }),
    idleWarningMs: Type.Integer({
      minimum: 20_000,
      default: 30_000,
      description: 'the warning shows this long before the idle reset (WCAG 2.2.1: at least 20 s)',
    }),
    defaultLanguage: Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh' }),
    /** How long the card and QR screens wait for a card or a scan. */
    cardWaitMs: Type.Integer({ minimum: 5000, maximum: 120_000, default: 60_000 }),
    /** Shown on the out-of-service screen: where the nearest working service is. */
    nearestService: Type.Object(
      {
        zh: Type.String({ default: '请到旁边的人工服务窗口办理，工作人员会帮助您。' }),
        en: Type.String({ default: 'Please go to the staffed service window next to this machine.' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
)

/** One department's gateway (docs/department-gateway.openapi.json). */
const DepartmentEndpoint = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    token: Type.Optional(Type.String({ description: 'secret: from env or file only, redacted in logs' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
  },
  { additionalProperties: false },
)

/** Department systems: the demo gateway, or the HTTP gateways the departments run. */
const BackendConfig = Type.Object(
  {
    kind: Type.Union([Type.Literal('demo'), Type.Literal('http')], { default: 'demo' }),
    /** The gateway of every department not named in `departments`. */
    url: Type.Optional(Type.String({ pattern: '^https?://' })),
    token: Type.Optional(Type.String({ description: 'secret: from env or file only, redacted in logs' })),
    timeoutMs: Type.Integer({ minimum: 100, default: 8000 }),
    /** Per-department gateways, by department id (`housing-fund`: its own system). */
    departments: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$' }), DepartmentEndpoint, { default: {} }),
    /** Demo only: the folder of the demo gateway's data; default kiosk/catalogue/demo-gateway. */
    demoDataDir: Type.Optional(Type.String({ minLength: 1 })),
    /** When a department's gateway fails this often in a row, its services go unavailable for openMs. */
    breaker: Type.Object(
      {
        failureThreshold: Type.Integer({ minimum: 1, default: 3 }),
        openMs: Type.Integer({ minimum: 1000, default: 60_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Printed in each certificate's QR code as `{verifyBaseUrl}/{verificationCode}`: the department's check page. */
    verifyBaseUrl: Type.String({ pattern: '^https://', default: 'https://zwfw.example.gov.cn/verify' }),
  },
  { additionalProperties: false, default: {} },
)

/** The service catalogue: which definitions the kiosk runs and which of them it offers. */
const CatalogueConfig = Type.Object(
  {
    /** Folder of `<department>/…` definitions and templates; default: the demo catalogue (kiosk/catalogue/departments). */
    dir: Type.Optional(Type.String({ minLength: 1 })),
    /** Service ids, `department:<id>` or `*`; default by machine type (catalogue/default-offer.ts). */
    offer: Type.Optional(
      Type.Array(Type.String({ pattern: '^(\\*|department:[a-z][a-z0-9-]{1,31}|[a-z][a-z0-9-]{1,63})$' }), {
        maxItems: 1000,
      }),
    ),
  },
  { additionalProperties: false, default: {} },
)

/** The update agent (docs/updates.md): TUF metadata and targets from the fleet, A/B app releases. */
const UpdatesConfig = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'off: `update` and `cancel-update` answer ERR_KIOSK_UNSUPPORTED',
    }),
    fleetUrl: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'fleet HTTP base; metadata at {fleetUrl}/updates/metadata/' }),
    ),
    /**
     * HTTPS trust of the update channel (TUF metadata and target downloads). Not the broker's CA
     * (`mqtt.tls.ca`): the fleet's HTTPS certificate may come from another CA, so this has no
     * fallback to it; enrolment with `--ca` writes that CA and names it here.
     */
    tls: Type.Object(
      {
        ca: Type.Optional(
          Type.String({
            minLength: 1,
            description: "CA certificate(s) (PEM file) of the fleet's HTTPS certificate; unset: the system's CAs",
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    allowPlaintext: Type.Boolean({
      default: false,
      description: 'clear-text http:// fleetUrl to a host other than loopback is refused unless this is true',
    }),
    trustedRootFile: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'root.json shipped with the image; default {dataDir}/updates/root.json',
      }),
    ),
    releasesDir: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'holds releases/<version>, current and previous; default {dataDir}/app',
      }),
    ),
    stateDir: Type.Optional(
      Type.String({ minLength: 1, description: 'trusted metadata, downloads, state; default {dataDir}/updates' }),
    ),
    healthCheckTimeoutMs: Type.Integer({
      minimum: 100,
      default: 120_000,
      description: 'a new release must be healthy (UI, fleet link, devices) within this, else it is rolled back',
    }),
    metadataRefreshMs: Type.Integer({ minimum: 1000, default: 3_600_000, description: 'periodic TUF refresh' }),
    gatePollMs: Type.Integer({
      minimum: 100,
      default: 30_000,
      description: 'how often a busy kiosk is looked at again',
    }),
    staleRetryMs: Type.Integer({
      minimum: 100,
      default: 300_000,
      description: 'refresh retry while the trusted timestamp is expired (offline kiosk)',
    }),
    downloadRetryMs: Type.Integer({
      minimum: 100,
      default: 30_000,
      description: 'pause before resuming a broken download',
    }),
    downloadAttempts: Type.Integer({
      minimum: 1,
      default: 10,
      description: 'tries (each resuming) before the download fails',
    }),
    downloadStallMs: Type.Integer({
      minimum: 100,
      default: 60_000,
      description: 'an attempt with no byte for this long stops (ERR_KIOSK_UPDATE_DOWNLOAD_STALLED) and resumes later',
    }),
    downloadMinBytesPerSecond: Type.Integer({
      minimum: 0,
      default: 256,
      description: 'an attempt slower than this over downloadRateWindowMs stops (…_TOO_SLOW): slow-retrieval attack',
    }),
    downloadRateWindowMs: Type.Integer({ minimum: 100, default: 120_000, description: 'window of the minimum rate' }),
    downloadDeadlineMs: Type.Integer({
      minimum: 1000,
      default: 4 * 3_600_000,
      description: 'one attempt may take at most this long (…_DOWNLOAD_DEADLINE)',
    }),
    deviceTimeoutMs: Type.Integer({
      minimum: 100,
      default: 60_000,
      description: 'after firmware/config, the device must be online (and on the new firmware) within this',
    }),
  },
  { additionalProperties: false, default: {} },
)
export type UpdatesConfig = Static<typeof UpdatesConfig>

export const AgentConfigSchema = Type.Object(
  {
    kioskId: Id,
    machineType: MachineType,
    department: Id,
    site: Site,
    appVersion: Type.String({ default: '0.1.0' }),
    dataDir: Type.String({ minLength: 1, description: 'outbox and counters live here', requiresRestart: true }),
    healthIntervalMs: Type.Integer({ minimum: 1000, default: 30_000 }),
    mqtt: Type.Object(
      {
        url: Type.String({ pattern: '^(mqtt|mqtts|tcp|ssl|ws|wss)://', default: 'mqtt://127.0.0.1:1883' }),
        username: Type.Optional(Type.String()),
        password: Type.Optional(Type.String({ description: 'secret: from env or file only, redacted in logs' })),
        keepaliveS: Type.Integer({ minimum: 1, maximum: 65535, default: 30 }),
        reconnectPeriodMs: Type.Integer({ minimum: 100, default: 2000 }),
        connectTimeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
        inflightWindow: Type.Integer({ minimum: 1, maximum: 1000, default: 64 }),
        /** mqtts:// trust and, for client-certificate login, this kiosk's certificate (docs/operations.md "TLS"). */
        tls: TlsFilesConfig,
        /** Clear-text mqtt:// to a host other than loopback is refused unless this is true (a closed lab network). */
        allowPlaintext: Type.Boolean({ default: false }),
      },
      { additionalProperties: false, default: {} },
    ),
    outbox: Type.Object(
      { maxPending: Type.Integer({ minimum: 10, default: 50_000 }) },
      { additionalProperties: false, default: {} },
    ),
    peripherals: Type.Array(PeripheralConfig, { default: [], maxItems: 32 }),
    /** Device manager: first reopen delay after a device could not be opened, doubling to the cap. */
    devices: Type.Object(
      {
        reopenInitialMs: Type.Integer({ minimum: 10, default: 500 }),
        reopenMaxMs: Type.Integer({ minimum: 100, default: 10_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    ui: UiConfig,
    identity: IdentityConfig,
    backend: BackendConfig,
    catalogue: CatalogueConfig,
    system: Type.Object(
      {
        /** argv run by the `reboot` command, e.g. ["systemctl", "reboot"]; unset refuses remote reboots. */
        rebootCommand: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 16 })),
      },
      { additionalProperties: false, default: {} },
    ),
    updates: UpdatesConfig,
    log: LogConfig,
  },
  { additionalProperties: false },
)
export type AgentConfig = Static<typeof AgentConfigSchema>
