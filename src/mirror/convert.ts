// The step between a Kafka batch and the Pulsar writer: each record becomes a Pulsar message or is rejected
// with its reason. A rejected record is never dropped: it goes to the dead-letter topic, or the partition
// pauses (see Mirror). Schema translation plugs in here as another RecordConverter.
import { K2pError, isK2pError } from '../errors.js';
import type { OutgoingMessage } from '../pulsar/client/index.js';
import { toPulsarMessage, type KafkaRecord, type RecordMappingOptions } from './record-mapping.js';

export type Converted = { ok: true; message: OutgoingMessage } | { ok: false; error: K2pError };

export interface RecordConverter {
  /**
   * Converts one Kafka batch, in order, one result per record. A record that cannot be mapped is a
   * `{ ok: false }` result, not a throw. Throw only when the whole batch cannot be handled now (e.g. the
   * registry is unreachable): the batch is then retried, nothing is written or committed.
   */
  convert(records: readonly KafkaRecord[]): Promise<Converted[]>;
}

/** Wraps any failure of mapping one record as a rejection with a catalog code. */
export function rejection(err: unknown, record: Pick<KafkaRecord, 'topic' | 'partition' | 'offset'>): { ok: false; error: K2pError } {
  if (isK2pError(err)) return { ok: false, error: err };
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, error: new K2pError('K2P_MIRROR_RECORD', message, { topic: record.topic, partition: record.partition, offset: record.offset }) };
}

/** Bytes in, bytes out: the record mapping of docs/record-mapping.md, nothing decoded. */
export class BytesConverter implements RecordConverter {
  constructor(private readonly options: RecordMappingOptions) {}

  convert(records: readonly KafkaRecord[]): Promise<Converted[]> {
    return Promise.resolve(
      records.map((record): Converted => {
        try {
          return { ok: true, message: toPulsarMessage(record, this.options) };
        } catch (err) {
          return rejection(err, record);
        }
      }),
    );
  }
}
