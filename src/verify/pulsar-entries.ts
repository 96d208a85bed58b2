// verify's Pulsar read in the worker thread: entries as they came (consumer option rawEntries), each
// message packed straight from its batch metadata and payload view into a PulsarBatchWriter — no Message,
// properties record, MessageId or PulsarSide per message. Reading, end detection and sampled windows as
// rangedMessages (pulsar-source.ts) does them.
import {
  batchSizeOf,
  keyOf,
  MessageId,
  scanEntry,
  schemaVersionOf,
  sequenceIdOf,
  type PulsarClient,
} from '../pulsar/client/index.js';
import type { PackInput, PulsarBatchWriter } from './pulsar-pack.js';
import { pulsarReads, rangeStarts, type PulsarReadOptions, type Receive } from './pulsar-source.js';
import type { OffsetRange } from './ranges.js';

/** Entries received, their messages packed by `writer`: a batch (undefined when all were left out). */
function packedReceive(writer: PulsarBatchWriter): Receive<Buffer | undefined> {
  // One input object, refilled per message (the writer reads it at once).
  const input: PackInput = {
    ledgerId: 0n,
    entryId: 0n,
    partition: -1,
    batchIndex: -1,
    batchSize: 0,
    key: undefined,
    value: null,
    eventTime: undefined,
    properties: undefined,
    sequenceId: 0n,
    publishTime: 0,
    redeliveryCount: 0,
    schemaVersion: undefined,
  };
  return async (consumer, max, timeoutMs) => {
    const entries = await consumer.receiveEntries(max, timeoutMs);
    if (entries.length === 0) return undefined;
    for (const entry of entries) {
      input.ledgerId = entry.ledgerId;
      input.entryId = entry.entryId;
      input.partition = entry.partition;
      input.batchSize = batchSizeOf(entry);
      input.publishTime = entry.metadata.publishTime;
      input.redeliveryCount = entry.redeliveryCount;
      input.schemaVersion = schemaVersionOf(entry);
      writer.mark();
      try {
        scanEntry(entry, (index, m, payload) => {
          input.batchIndex = index;
          input.key = keyOf(m);
          input.value = payload;
          input.eventTime = m.eventTime || undefined; // 0: none, as the client's messages say
          input.properties = m.properties;
          input.sequenceId = sequenceIdOf(entry, index, m);
          writer.add(input);
        });
      } catch {
        // A batch that cannot be walked is left out whole, as the client leaves out an entry it cannot
        // decode: its records are then reported missing, as in the calling thread.
        writer.rollback();
      }
    }
    const e = entries[entries.length - 1]!;
    const size = batchSizeOf(e);
    const last = new MessageId(e.ledgerId, e.entryId, e.partition, size > 0 ? size - 1 : -1, size);
    return { batch: writer.finish(), last, highest: writer.highest };
  };
}

/**
 * The packed batches of a partition for these Kafka offset ranges, as rangedMessages reads them: each range
 * from the position seekOffset finds (messages before it left out, the first one past a range's end ending
 * it but the last), or one read from the first range's start through all of them.
 */
export async function* packedRanges(
  client: PulsarClient,
  topic: string,
  ranges: readonly OffsetRange[],
  options: Omit<PulsarReadOptions, 'startMessageId'>,
  writer: PulsarBatchWriter,
): AsyncGenerator<Buffer, void, undefined> {
  if (ranges.length === 0) return;
  const receive = packedReceive(writer);
  const read = (startMessageId: MessageId | undefined, o: PulsarReadOptions) =>
    pulsarReads(client, topic, { ...o, startMessageId }, receive, { rawEntries: true });
  const { starts, all } = await rangeStarts(client, topic, ranges);
  if (!all || ranges.length === 1) {
    writer.window(-Infinity, Infinity);
    for await (const b of read(starts[0], options)) if (b) yield b;
    return;
  }
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    const last = i === ranges.length - 1;
    writer.window(Number(r.from), last ? Infinity : Number(r.to));
    const it = read(starts[i], last ? options : { readTimeoutMs: options.readTimeoutMs });
    try {
      for await (const b of it) {
        if (b) yield b;
        if (writer.stopped) break;
      }
    } finally {
      await it.return();
    }
  }
}
