import { Operations } from './constants.ts'
import { attr, type IppAttribute, type IppMessage } from './message.ts'

export interface RequestBase {
  printerUri: string
  requestId: number
  userName: string
}

function operationAttributes(base: RequestBase, extra: IppAttribute[] = []): IppAttribute[] {
  // RFC 8011 §4.1.4: charset and natural language first, then the target
  return [
    attr('attributes-charset', 'charset', 'utf-8'),
    attr('attributes-natural-language', 'naturalLanguage', 'en'),
    attr('printer-uri', 'uri', base.printerUri),
    attr('requesting-user-name', 'nameWithoutLanguage', base.userName),
    ...extra,
  ]
}

const empty = new Uint8Array(0)

export function printJobRequest(
  base: RequestBase & { jobName: string; documentFormat: string; copies?: number; document: Uint8Array },
): IppMessage {
  const jobAttributes = base.copies && base.copies > 1 ? [attr('copies', 'integer', base.copies)] : []
  return {
    version: [2, 0],
    code: Operations.printJob,
    requestId: base.requestId,
    groups: [
      {
        group: 'operation',
        attributes: operationAttributes(base, [
          attr('job-name', 'nameWithoutLanguage', base.jobName),
          attr('document-format', 'mimeMediaType', base.documentFormat),
        ]),
      },
      ...(jobAttributes.length > 0 ? [{ group: 'job' as const, attributes: jobAttributes }] : []),
    ],
    data: base.document,
  }
}

export function getPrinterAttributesRequest(base: RequestBase): IppMessage {
  return {
    version: [2, 0],
    code: Operations.getPrinterAttributes,
    requestId: base.requestId,
    groups: [
      {
        group: 'operation',
        attributes: operationAttributes(base, [
          attr(
            'requested-attributes',
            'keyword',
            'printer-state',
            'printer-state-reasons',
            'printer-is-accepting-jobs',
            'printer-make-and-model',
            'document-format-supported',
          ),
        ]),
      },
    ],
    data: empty,
  }
}

export function getJobAttributesRequest(base: RequestBase & { jobId: number }): IppMessage {
  return {
    version: [2, 0],
    code: Operations.getJobAttributes,
    requestId: base.requestId,
    groups: [
      {
        group: 'operation',
        attributes: operationAttributes(base, [
          attr('job-id', 'integer', base.jobId),
          attr('requested-attributes', 'keyword', 'job-state', 'job-state-reasons', 'job-impressions-completed'),
        ]),
      },
    ],
    data: empty,
  }
}
