// A v2 produce body (`{records:[{key?, value?, partition?}], key_schema?, ...}`) checked whole and decoded
// to records; any mistake refuses the whole request (nothing is written).
import { decodeBase64, decodeEmbedded } from './embedded.js';
import type { EmbeddedFormat } from '../http/media-types.js';
import type { IncomingRecord } from '../records.js';
import { isObject } from '../http/body.js';
import { CODES, RestError } from '../rest-error.js';

export interface V2ProduceOptions {
  /** Opt-in extension: `headers: [{name, value(base64)}]` and `timestamp` (ms) on records. */
  extensions: boolean;
}

function headers(list: unknown, where: string): IncomingRecord['headers'] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new RestError(CODES.UNPROCESSABLE, `${where}.headers must be an array`);
  return list.map((h: unknown, i) => {
    if (!isObject(h) || typeof h.name !== 'string') throw new RestError(CODES.UNPROCESSABLE, `${where}.headers[${i}] must be {name, value}`);
    return { key: h.name, value: h.value === null || h.value === undefined ? null : decodeBase64(h.value, `${where}.headers[${i}].value`) };
  });
}

export function parseV2Produce(body: unknown, format: EmbeddedFormat, options: V2ProduceOptions, pathPartition?: number): IncomingRecord[] {
  if (!isObject(body)) throw new RestError(CODES.UNPROCESSABLE, 'Request body must be a JSON object with records');
  const records = body.records;
  if (!Array.isArray(records) || records.length === 0) throw new RestError(CODES.UNPROCESSABLE, 'records may not be empty');
  return records.map((rec: unknown, i) => {
    const where = `records[${i}]`;
    if (!isObject(rec)) throw new RestError(CODES.UNPROCESSABLE, `${where} must be a JSON object`);
    const out: IncomingRecord = {
      key: decodeEmbedded(format, rec.key, `${where}.key`),
      value: decodeEmbedded(format, rec.value, `${where}.value`),
      headers: options.extensions ? headers(rec.headers, where) : [],
    };
    if (pathPartition !== undefined) out.partition = pathPartition;
    else if (rec.partition !== undefined && rec.partition !== null) {
      if (typeof rec.partition !== 'number' || !Number.isInteger(rec.partition)) throw new RestError(CODES.UNPROCESSABLE, `${where}.partition must be an integer`);
      out.partition = rec.partition;
    }
    if (options.extensions && rec.timestamp !== undefined && rec.timestamp !== null) {
      if (typeof rec.timestamp !== 'number' || !Number.isSafeInteger(rec.timestamp) || rec.timestamp < 0) throw new RestError(CODES.UNPROCESSABLE, `${where}.timestamp must be ms since the epoch`);
      out.timestamp = rec.timestamp;
    }
    return out;
  });
}
