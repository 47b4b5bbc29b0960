/**
 * The import rules of the architecture (docs/architecture.md), enforced in `npm test`.
 * "A <- B" means B may import A. Workspace packages resolve to their src/ through node_modules
 * symlinks, so rules match on the real paths (preserveSymlinks: false).
 * scripts/check-rules.test.ts plants one violation of every rule and checks each is reported.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'drivers-stay-device-only',
      comment: 'drivers/* never imports mqtt, pg, electron, kiosk/*, fleet-server/* or protocol/ (no fleet knowledge).',
      severity: 'error',
      from: { path: '^drivers/' },
      to: {
        path: [
          '^kiosk/',
          '^fleet-server/',
          '^protocol/',
          'node_modules/(mqtt|pg|@electric-sql|electron|aedes|fastify)/',
        ],
      },
    },
    {
      name: 'codec-is-pure',
      comment:
        'A codec is a pure function of its bytes: no Node built-in with side effects or time (fs, net, crypto, timers, os, child_process, process…). Only buffer and string_decoder are pure.',
      severity: 'error',
      from: { path: '^drivers/[^/]+/src/codec/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?(buffer|string_decoder)$' },
    },
    {
      name: 'codec-imports-no-io',
      comment:
        'A codec imports only core types: no serialport, node-hid, usb, logging, and nothing of the driver or emulator.',
      severity: 'error',
      from: { path: '^drivers/[^/]+/src/codec/' },
      to: {
        path: [
          'node_modules/(serialport|@serialport|node-hid|usb|pino|pino-pretty|pcsclite)/',
          '^drivers/[^/]+/src/(driver|emulator|client)/',
        ],
      },
    },
    {
      name: 'emulator-never-imports-driver',
      severity: 'error',
      from: { path: '^drivers/[^/]+/src/emulator/' },
      to: { path: '^drivers/[^/]+/src/driver/' },
    },
    {
      name: 'emulators-only-for-tests-and-tools',
      comment: 'The emulator subpath is for tests/, emulator-cli, other emulators and the demo.',
      severity: 'error',
      from: { path: '^(kiosk|fleet-server|protocol)/' },
      to: { path: '^drivers/[^/]+/src/emulator/' },
    },
    {
      name: 'fleet-server-shares-only-protocol',
      comment:
        "fleet-server imports nothing from kiosk or drivers, except the device registry's data (which models take which firmware and config), never its driver table.",
      severity: 'error',
      from: { path: '^fleet-server/' },
      to: {
        path: ['^kiosk/', '^drivers/'],
        pathNot: '^drivers/registry/src/[^/]+\\.ts$',
      },
    },
    {
      name: 'kiosk-never-imports-fleet-server',
      severity: 'error',
      from: { path: '^kiosk/' },
      to: { path: '^fleet-server/' },
    },
    {
      name: 'ui-and-shell-go-through-the-agent',
      comment: 'kiosk/ui and kiosk/shell talk to the agent local API only.',
      severity: 'error',
      from: { path: '^kiosk/(ui|shell)/' },
      to: { path: ['^drivers/', '^kiosk/agent/'] },
    },
    {
      name: 'protocol-is-the-contract-only',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: ['^kiosk/', '^fleet-server/', '^drivers/', 'node_modules/(mqtt|pg|aedes|fastify)/'] },
    },
    {
      name: 'nothing-imports-tests',
      severity: 'error',
      from: { pathNot: '^(tests|scripts)/' },
      to: { path: '^tests/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.data/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    preserveSymlinks: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
}
