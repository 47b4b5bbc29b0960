/** What a scanner decoder yields (house style `DecodeEvent`): a scan, or bytes it threw away and why. */
export type ScanDecodeEvent =
  | { kind: 'scan'; bytes: Uint8Array; aimId?: string; codeId?: number }
  | { kind: 'discarded'; bytes: Uint8Array; reason: 'garbage' | 'overflow' }

export interface ScanDecoder {
  /** Feeds one chunk (serial) or one report (HID). Never throws on wire data. */
  push(chunk: Uint8Array): ScanDecodeEvent[]
  /** Ends a scan that has no suffix (idle timeout in the driver); yields the scan, if any. */
  flush(): ScanDecodeEvent[]
  /** Drops a partial scan; yields it as discarded. */
  reset(): ScanDecodeEvent[]
}
