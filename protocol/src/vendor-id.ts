/**
 * The canonical vendor id: the lower-case slug the device registry's model ids start with
 * (`xprinter` of `xprinter-xp-t58h`), which is also the vendor's delegated TUF role and the scope of
 * a vendor user. Devices report a display vendor (`Xprinter (芯烨)`) and, when the registry knows the
 * device, its model id; both map to the same id here, on the kiosk and in the fleet alike.
 */

/** What a vendor id looks like: one slug segment (`epson`, `xprinter`, `generic`). */
export const VENDOR_ID_PATTERN = '^[a-z0-9]+$'
const vendorIdRegExp = new RegExp(VENDOR_ID_PATTERN)

export function isVendorId(value: string): boolean {
  return vendorIdRegExp.test(value)
}

/** `xprinter-xp-t58h` → `xprinter`. */
export function vendorIdOfModelId(modelId: string): string {
  return modelId.split('-')[0] as string
}

/**
 * A display vendor name as its slug: the note in parentheses dropped (`Xprinter (芯烨)`,
 * `Zebra (Symbol)`), lower case, letters and digits only (`Epson` → `epson`). Empty when nothing
 * Latin is left (a vendor reported only in Chinese): then the device has no vendor id.
 */
export function vendorIdOfName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\s*[(（].*$/u, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
}

/** A reported peripheral's vendor id: its registry model's when it names one, else its display vendor's; null when neither gives one. */
export function vendorIdOfPeripheral(p: { vendor: string | null; modelId?: string | null | undefined }): string | null {
  if (p.modelId != null && p.modelId !== '') return vendorIdOfModelId(p.modelId)
  const id = vendorIdOfName(p.vendor ?? '')
  return id === '' ? null : id
}
