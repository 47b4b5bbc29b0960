import { LogConfig, TlsFilesConfig } from '@kiosk-fleet/protocol'
import { BASE_MAP_KINDS, MAP_DATUMS } from '@kiosk-fleet/protocol/http'
import { type Static, Type } from '@sinclair/typebox'
import { AlertsConfigSchema } from '../alerts/alert-config.ts'

export const FleetConfigSchema = Type.Object(
  {
    http: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        /** HTTPS (docs/operations.md "TLS"): both set, the API and dashboard are served over TLS only. */
        tls: Type.Object(
          {
            cert: Type.Optional(Type.String({ minLength: 1, description: 'certificate chain (PEM)' })),
            key: Type.Optional(Type.String({ minLength: 1, description: 'private key (PEM), mode 0600' })),
          },
          { additionalProperties: false, default: {} },
        ),
        /** Plain HTTP on a host other than loopback is refused unless this is true (ERR_FLEET_TLS_CONFIG). */
        allowPlaintext: Type.Boolean({ default: false }),
        /**
         * Behind a reverse proxy that terminates TLS: the proxy's addresses or CIDRs, comma-separated
         * (`127.0.0.1,10.0.0.0/8`). Their X-Forwarded-For/-Proto are believed, so the audit log records
         * the real client and cookies are Secure. Unset: no proxy is trusted.
         */
        trustProxy: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false, default: {} },
    ),
    mqtt: Type.Object(
      {
        /** External broker (Mosquitto, EMQX). Unset: start the embedded Aedes broker. */
        url: Type.Optional(Type.String({ pattern: '^(mqtt|mqtts|tcp|ssl|ws|wss)://' })),
        embedded: Type.Object(
          {
            host: Type.String({ default: '127.0.0.1' }),
            port: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
            /**
             * MQTT over TLS (mqtts://) on the embedded broker: `cert` and `key` are the broker's; `ca`
             * signs kiosk client certificates when `clientCertificates` is not `off`.
             */
            tls: Type.Object(
              {
                cert: Type.Optional(Type.String({ minLength: 1 })),
                key: Type.Optional(Type.String({ minLength: 1 })),
                ca: Type.Optional(Type.String({ minLength: 1 })),
                /**
                 * `optional`: a kiosk may log in with a client certificate whose CN is its id instead of
                 * its password; `required`: kiosks must (the fleet-server's own user keeps its password).
                 */
                clientCertificates: Type.Union(
                  [Type.Literal('off'), Type.Literal('optional'), Type.Literal('required')],
                  { default: 'off' },
                ),
              },
              { additionalProperties: false, default: {} },
            ),
          },
          { additionalProperties: false, default: {} },
        ),
        /**
         * This replica's MQTT client id; its persistent session on the broker is keyed by it, so keep
         * it stable across restarts and different between replicas. Unset: `fleet-{hostname}`.
         */
        clientId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' })),
        username: Type.Optional(Type.String()),
        password: Type.Optional(Type.String({ description: 'secret: env or file only' })),
        /** Set to split ingest across replicas with `$share/{group}/...` (MQTT 5 or Mosquitto ≥ 2). */
        sharedGroup: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]+$' })),
        keepaliveS: Type.Integer({ minimum: 1, default: 30 }),
        /** The fleet-server's own connection to the broker: the CA to verify it (and a client certificate). */
        tls: TlsFilesConfig,
        /** Clear-text MQTT to (or an embedded listener on) a host other than loopback is refused unless true. */
        allowPlaintext: Type.Boolean({ default: false }),
        /**
         * External broker: a replica's session nobody renewed for this long (it stopped or died) is
         * adopted by a live replica, so its queued messages never strand (docs/scale.md "Replicas").
         */
        adoptAfterMs: Type.Integer({ minimum: 1000, default: 30_000 }),
        /**
         * NATS JetStream, the clustered engine (docs/scale.md): `mqtt.url` is NATS's MQTT listener
         * (commands), and ingest pulls the kiosks' messages from JetStream on these NATS URLs.
         */
        jetstream: Type.Optional(
          Type.Object(
            {
              servers: Type.Array(Type.String({ pattern: '^(nats|tls)://' }), { minItems: 1 }),
              username: Type.Optional(Type.String()),
              password: Type.Optional(Type.String({ description: 'secret: env or file only' })),
              durable: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'fleet-ingest' }),
              maxAckPending: Type.Integer({ minimum: 1, default: 2000 }),
              ackWaitMs: Type.Integer({ minimum: 1000, default: 30_000 }),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Broker security (README "Broker security and enrolment"); `mqtt.username`/`password` is the fleet's own. */
    broker: Type.Object(
      {
        /** Embedded broker: kiosks and the fleet-server must log in, and the ACL applies. False: open (development only). */
        requireCredentials: Type.Boolean({ default: true }),
        /** The broker URL handed to kiosks at enrolment. Unset: the URL the fleet-server itself connects to. */
        publicUrl: Type.Optional(Type.String({ pattern: '^(mqtt|mqtts|tcp|ssl|ws|wss)://' })),
        /** How long an enrolment token stays valid unless the request asks for less. */
        enrolmentTtlMs: Type.Integer({ minimum: 60_000, default: 24 * 3_600_000 }),
        /** The CA certificate (PEM file) handed to kiosks at enrolment to verify the broker. Unset: `mqtt.tls.ca`. */
        caFile: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false, default: {} },
    ),
    database: Type.Object(
      {
        /** PostgreSQL URL. Unset: embedded PGlite in `pgliteDir`. */
        url: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
        schema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
        pgliteDir: Type.String({ default: '.data/fleet-db' }),
      },
      { additionalProperties: false, default: {} },
    ),
    ingest: Type.Object(
      {
        maxBatch: Type.Integer({ minimum: 1, default: 1000 }),
        maxDelayMs: Type.Integer({ minimum: 1, default: 50 }),
        maxQueue: Type.Integer({ minimum: 100, default: 20_000 }),
        /** How long a skipped sequence number may still arrive (topics overtake each other) before it counts missing. */
        gapGraceMs: Type.Integer({ minimum: 1000, default: 30_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    commands: Type.Object(
      {
        timeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
        ttlMs: Type.Integer({ minimum: 100, default: 30_000 }),
        /** How long a command to an offline kiosk waits for it to return (the API's default `queueTtlMs`). */
        queueTtlMs: Type.Integer({ minimum: 1000, default: 86_400_000 }),
        /** How often queued commands are expired, and handed to kiosks that came back without a birth seen here. */
        queueSweepMs: Type.Integer({ minimum: 100, default: 15_000 }),
        /** How long a kiosk's latest screenshot is kept before it is deleted (never in the health history). */
        screenshotKeepMs: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 900_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: Type.Object(
      {
        /** Creates user `admin` with this password when there are no users yet (secret: env only). */
        initialAdminPassword: Type.Optional(Type.String({ minLength: 12 })),
        sessionTtlMs: Type.Integer({ minimum: 60_000, default: 8 * 3_600_000 }),
        /** Always mark the session cookie Secure. It is anyway on every request that came over TLS (or a trusted proxy's https). */
        secureCookies: Type.Boolean({ default: false }),
        /** Lockout per user name (and per kiosk id at enrolment): free failures, then a lock doubling from `baseLockMs`. */
        lockout: Type.Object(
          {
            freeFailures: Type.Integer({ minimum: 1, default: 5 }),
            baseLockMs: Type.Integer({ minimum: 1000, default: 30_000 }),
            maxLockMs: Type.Integer({ minimum: 1000, default: 3_600_000 }),
          },
          { additionalProperties: false, default: {} },
        ),
        /** Requests per minute and client address on `POST /api/login` and `POST /api/enrol` (per replica). */
        loginPerMinute: Type.Integer({ minimum: 1, default: 20 }),
        enrolPerMinute: Type.Integer({ minimum: 1, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
    dashboard: Type.Object(
      {
        /**
         * The site map's base map (docs/operations.md "Site map"): `none` (no tiles, works offline),
         * `tianditu` (天地图, needs `tiandituKey`), `amap` (高德, GCJ-02), `tiles` (`tileUrl`) or
         * `folder` (`tileDir`, served by the fleet-server under /tiles/).
         */
        baseMap: Type.Union(
          BASE_MAP_KINDS.map((k) => Type.Literal(k)),
          { default: 'none' },
        ),
        /** `tiles`: a raster tile URL template with {z}, {x} and {y} in any order, and {s} in the host for a subdomain. */
        tileUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
        /** The letters or digits {s} takes, e.g. `abc`. */
        tileSubdomains: Type.Optional(Type.String({ pattern: '^[a-z0-9]{1,16}$' })),
        /** `tiles`, `folder`: the tiles' datum; `gcj02` for tiles of a Chinese commercial map (sites are converted). */
        tileDatum: Type.Union(
          MAP_DATUMS.map((d) => Type.Literal(d)),
          { default: 'wgs84' },
        ),
        /** `tianditu`: the browser key (tk) from console.tianditu.gov.cn; every dashboard user's browser sends it. */
        tiandituKey: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{16,64}$' })),
        /** `folder`: a directory of `{z}/{x}/{y}.png` tiles, served to logged-in users under /tiles/. */
        tileDir: Type.Optional(Type.String({ minLength: 1 })),
        /** Shown in the map's corner: the tiles' licence and 审图号 (the presets name their provider). */
        tileAttribution: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        maxZoom: Type.Integer({ minimum: 1, maximum: 20, default: 18 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Prometheus `/metrics` (docs/operations.md "Metrics"): never open to anyone on the API listener. */
    metrics: Type.Object(
      {
        /** Scrapers send `Authorization: Bearer <token>` (secret: env or file only). Admin sessions may read it too. */
        token: Type.Optional(Type.String({ minLength: 16, description: 'secret: env or file only' })),
        /** Serve /metrics on its own listener (e.g. a monitoring network) instead of the API's. */
        port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        host: Type.String({ default: '127.0.0.1' }),
      },
      { additionalProperties: false, default: {} },
    ),
    alerts: AlertsConfigSchema,
    retention: Type.Object(
      {
        healthDays: Type.Integer({ minimum: 1, default: 30, description: 'health snapshots kept this long' }),
        eventsDays: Type.Integer({ minimum: 1, default: 180, description: 'status events and presence changes' }),
        /** The services page's daily availability roll-up; it shows 30 days, so never fewer. */
        serviceAvailabilityDays: Type.Integer({ minimum: 30, default: 30 }),
        pruneIntervalMs: Type.Integer({ minimum: 60_000, default: 3_600_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** The services page (README "HTTP API"): where the fleet reads the citizen service catalogue. */
    services: Type.Object(
      {
        /**
         * A catalogue folder (`<department>/department.json`, `services/*.json`, `templates/*.json`,
         * docs/service-definition.md), re-read when a file changes. Unset: the demo catalogue shipped
         * beside the fleet-server (kiosk/catalogue/departments).
         */
        catalogueDir: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Signed updates (docs/updates.md): the TUF repository, artifact blobs and upload spool. */
    updates: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Target blobs (`targets/`) and upload spool files (`uploads/`); shared storage for several replicas. */
        dir: Type.String({ default: '.data/fleet-updates' }),
        /** The offline-signed root.json from `root-keys-cli create-root` (used once, to initialise the repository). */
        rootFile: Type.Optional(Type.String({ minLength: 1 })),
        /** `online-keys.json` from `root-keys-cli create-root`: targets/snapshot/timestamp key pairs (mode 0600). */
        onlineKeysFile: Type.Optional(Type.String({ minLength: 1 })),
        /** How often to check whether snapshot/timestamp need re-signing, and expire stale uploads. */
        refreshIntervalMs: Type.Integer({ minimum: 1000, default: 15 * 60_000 }),
        maxArtifactBytes: Type.Integer({ minimum: 1, default: 2 * 1024 ** 3 }),
        /** An upload not finished within this is rejected and its spool file freed. */
        uploadTtlMs: Type.Integer({ minimum: 60_000, default: 7 * 24 * 3_600_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Staged rollouts (docs/updates.md "Rollouts"). */
    rollouts: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Engine tick; reports and births also trigger one. */
        tickMs: Type.Integer({ minimum: 50, default: 5000 }),
        /** Expiry of an `update` notification a kiosk has not picked up (it is sent again on its next birth). */
        notifyTtlMs: Type.Integer({ minimum: 1000, default: 24 * 3_600_000 }),
        /** How long to wait for a kiosk's answer to `update`. */
        notifyTimeoutMs: Type.Integer({ minimum: 100, default: 60_000 }),
        /** Notifications in flight at once. */
        notifyConcurrency: Type.Integer({ minimum: 1, default: 500 }),
      },
      { additionalProperties: false, default: {} },
    ),
    log: LogConfig,
  },
  { additionalProperties: false },
)
export type FleetConfig = Static<typeof FleetConfigSchema>
