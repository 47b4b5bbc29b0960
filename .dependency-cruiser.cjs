/**
 * The import rules of ../shared/design.md and the house style, enforced in `npm test`.
 * "A <- B" means B may import A. Workspace packages resolve to their src/ through node_modules
 * symlinks, so rules match on the real paths (preserveSymlinks: false).
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
      comment: 'A codec imports only core types: no streams, serialport, timers or logging.',
      severity: 'error',
      from: { path: '^drivers/[^/]+/src/codec/' },
      to: {
        path: [
          '^node:',
          '^(stream|timers|fs|net)$',
          'node_modules/(serialport|@serialport|node-hid|pino)/',
          '^drivers/[^/]+/src/(driver|emulator)/',
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
      from: { path: '^(kiosk|fleet-server|protocol)/', pathNot: '^kiosk/agent/src/emulated/' },
      to: { path: '^drivers/[^/]+/src/emulator/' },
    },
    {
      name: 'fleet-server-shares-only-protocol',
      comment:
        'fleet-server imports nothing from kiosk or drivers, except the device registry (pure data: which models take which firmware and config).',
      severity: 'error',
      from: { path: '^fleet-server/' },
      to: {
        path: ['^kiosk/', '^drivers/'],
        pathNot:
          '^drivers/registry/src/(index|definition|definitions|find-definition|validate)\\.ts$|^drivers/registry/src/vendors/',
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
