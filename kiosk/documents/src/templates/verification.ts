/** Verification link of a document: `{baseUrl}/{code}`, printed as QR and as text. */
export function verification(baseUrl: string, code: string): { code: string; url: string } {
  if (!/^[A-Z0-9-]{6,40}$/.test(code)) throw new TypeError(`verificationCode must be 6–40 of A–Z 0–9 -, got ${code}`)
  return { code, url: `${baseUrl.replace(/\/+$/, '')}/${code}` }
}

/** Yuan with two decimals and thousands separators: 12345.6 → "12,345.60". */
export function yuan(amount: number): string {
  if (!Number.isFinite(amount)) throw new TypeError(`amount must be a finite number, got ${amount}`)
  return amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}
