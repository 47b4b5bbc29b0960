import { describe, expect, it } from 'vitest'
import { classifyTufError, TufErrorCodes } from './tuf-errors.ts'

/** tuf-js's own error classes are not exported; these stand in with the same class names. */
class ExpiredMetadataError extends Error {}
class DownloadHTTPError extends Error {}
class RuntimeError extends Error {}

describe('classifyTufError', () => {
  it('maps tuf-js failures, also when wrapped in a RuntimeError message, to stable codes', () => {
    const cases: Array<[unknown, 'metadata' | 'target', string]> = [
      [new ExpiredMetadataError('Final timestamp.json is expired'), 'metadata', TufErrorCodes.metadataExpired],
      [
        new RuntimeError('Unable to load targets error Error: vendor-acme.json is expired'),
        'metadata',
        TufErrorCodes.metadataExpired,
      ],
      [new Error('New timestamp version 5 is less than current version 6'), 'metadata', TufErrorCodes.rollback],
      [
        new RuntimeError('Unable to load targets error Error: vendor-acme was signed by 0/1 keys'),
        'metadata',
        TufErrorCodes.badSignature,
      ],
      [
        new RuntimeError('Unable to load snapshot metadata error Error: Expected hash a but got b'),
        'metadata',
        TufErrorCodes.metadataMismatch,
      ],
      [new Error("Snapshot version doesn't match timestamp"), 'metadata', TufErrorCodes.metadataMismatch],
      [new Error('Expected length 24 but got 25'), 'target', TufErrorCodes.targetMismatch],
      [new DownloadHTTPError('Failed to download'), 'metadata', TufErrorCodes.unreachable],
      [new Error('connect ECONNREFUSED 127.0.0.1:1'), 'target', TufErrorCodes.unreachable],
      [new Error('something new'), 'metadata', TufErrorCodes.metadataInvalid],
      ['not even an Error', 'metadata', TufErrorCodes.metadataInvalid],
    ]
    for (const [error, phase, code] of cases) {
      expect(classifyTufError(error, phase).code, String(error)).toBe(code)
    }
  })
})
