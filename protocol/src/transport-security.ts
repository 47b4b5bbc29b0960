import { Type } from '@sinclair/typebox'

/**
 * TLS files of one side of a connection (both apps' configs use it; docs/operations.md "TLS").
 * Paths, not PEM text: keys stay in files with mode 0600 and never pass through env or logs.
 */
export const TlsFilesConfig = Type.Object(
  {
    /** CA certificate(s) that sign the other side's certificate (PEM). Unset: the system's CAs. */
    ca: Type.Optional(Type.String({ minLength: 1 })),
    /** This side's certificate chain (PEM): a server's, or a client's for client-certificate login. */
    cert: Type.Optional(Type.String({ minLength: 1 })),
    /** This side's private key (PEM), mode 0600. */
    key: Type.Optional(Type.String({ minLength: 1 })),
    /** Check the other side's certificate against `ca`. False only for a throwaway test. */
    rejectUnauthorized: Type.Boolean({ default: true }),
  },
  { additionalProperties: false, default: {} },
)

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

/** Whether `host` never leaves this machine (loopback), where clear text crosses no network. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host)
}

const PLAIN_SCHEMES = new Set(['mqtt:', 'tcp:', 'ws:', 'http:'])

/** Whether the URL is clear text (mqtt://, tcp://, ws://, http://). */
export function isPlaintextUrl(url: string): boolean {
  return PLAIN_SCHEMES.has(new URL(url).protocol)
}

/**
 * The rule both apps apply to every connection and listener: clear text only on loopback, or where
 * an explicit `allowPlaintext` setting says so. Returns why a URL is refused, or undefined.
 */
export function plaintextRefusal(url: string, allowPlaintext: boolean, setting: string): string | undefined {
  if (allowPlaintext || !isPlaintextUrl(url)) return undefined
  const host = new URL(url).hostname
  if (isLoopbackHost(host)) return undefined
  return `${url} is clear text to ${host}: use the TLS scheme (mqtts://, wss://, https://) or set ${setting} true`
}
