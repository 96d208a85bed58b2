// BaseCommand: the envelope of every frame. Its `type` (field 1) names the sub-command, which sits in the
// BaseCommand field whose number equals the type. We flatten that into `{ type: 'SEND', ...fields }`.
import { K2pError } from '../../errors.js';
import { decodeMessage, encodeFields, type MessageSpec } from './codec.js';
import { ProtoReader, ProtoWriter, WIRE_LEN, WIRE_VARINT } from './protobuf.js';
import * as conn from './commands/connection.js';
import * as lookup from './commands/lookup.js';
import * as prod from './commands/producer.js';
import * as cons from './commands/consumer.js';
import * as schema from './commands/schema.js';

export * from './commands/connection.js';
export * from './commands/lookup.js';
export * from './commands/producer.js';
export * from './commands/consumer.js';
export * from './commands/schema.js';

/** The commands this codec understands, with their BaseCommand.Type value and sub-message. */
export interface CommandMap {
  CONNECT: conn.CommandConnect;
  CONNECTED: conn.CommandConnected;
  SUBSCRIBE: cons.CommandSubscribe;
  PRODUCER: prod.CommandProducer;
  SEND: prod.CommandSend;
  SEND_RECEIPT: prod.CommandSendReceipt;
  SEND_ERROR: prod.CommandSendError;
  MESSAGE: cons.CommandMessage;
  ACK: cons.CommandAck;
  FLOW: cons.CommandFlow;
  UNSUBSCRIBE: cons.CommandUnsubscribe;
  SUCCESS: conn.CommandSuccess;
  ERROR: conn.CommandError;
  CLOSE_PRODUCER: prod.CommandCloseProducer;
  CLOSE_CONSUMER: cons.CommandCloseConsumer;
  PRODUCER_SUCCESS: prod.CommandProducerSuccess;
  PING: conn.CommandPing;
  PONG: conn.CommandPong;
  REDELIVER_UNACKNOWLEDGED_MESSAGES: cons.CommandRedeliverUnacknowledgedMessages;
  PARTITIONED_METADATA: lookup.CommandPartitionedTopicMetadata;
  PARTITIONED_METADATA_RESPONSE: lookup.CommandPartitionedTopicMetadataResponse;
  LOOKUP: lookup.CommandLookupTopic;
  LOOKUP_RESPONSE: lookup.CommandLookupTopicResponse;
  REACHED_END_OF_TOPIC: cons.CommandReachedEndOfTopic;
  SEEK: cons.CommandSeek;
  GET_LAST_MESSAGE_ID: cons.CommandGetLastMessageId;
  GET_LAST_MESSAGE_ID_RESPONSE: cons.CommandGetLastMessageIdResponse;
  ACTIVE_CONSUMER_CHANGE: cons.CommandActiveConsumerChange;
  GET_TOPICS_OF_NAMESPACE: lookup.CommandGetTopicsOfNamespace;
  GET_TOPICS_OF_NAMESPACE_RESPONSE: lookup.CommandGetTopicsOfNamespaceResponse;
  GET_SCHEMA: schema.CommandGetSchema;
  GET_SCHEMA_RESPONSE: schema.CommandGetSchemaResponse;
  AUTH_CHALLENGE: conn.CommandAuthChallenge;
  AUTH_RESPONSE: conn.CommandAuthResponse;
  ACK_RESPONSE: cons.CommandAckResponse;
  GET_OR_CREATE_SCHEMA: schema.CommandGetOrCreateSchema;
  GET_OR_CREATE_SCHEMA_RESPONSE: schema.CommandGetOrCreateSchemaResponse;
  TOPIC_MIGRATED: lookup.CommandTopicMigrated;
}
export type CommandType = keyof CommandMap;

type Entry<K extends CommandType> = readonly [code: number, spec: MessageSpec<CommandMap[K]>];

export const COMMANDS: { readonly [K in CommandType]: Entry<K> } = {
  CONNECT: [2, conn.CommandConnectSpec],
  CONNECTED: [3, conn.CommandConnectedSpec],
  SUBSCRIBE: [4, cons.CommandSubscribeSpec],
  PRODUCER: [5, prod.CommandProducerSpec],
  SEND: [6, prod.CommandSendSpec],
  SEND_RECEIPT: [7, prod.CommandSendReceiptSpec],
  SEND_ERROR: [8, prod.CommandSendErrorSpec],
  MESSAGE: [9, cons.CommandMessageSpec],
  ACK: [10, cons.CommandAckSpec],
  FLOW: [11, cons.CommandFlowSpec],
  UNSUBSCRIBE: [12, cons.CommandUnsubscribeSpec],
  SUCCESS: [13, conn.CommandSuccessSpec],
  ERROR: [14, conn.CommandErrorSpec],
  CLOSE_PRODUCER: [15, prod.CommandCloseProducerSpec],
  CLOSE_CONSUMER: [16, cons.CommandCloseConsumerSpec],
  PRODUCER_SUCCESS: [17, prod.CommandProducerSuccessSpec],
  PING: [18, conn.CommandPingSpec],
  PONG: [19, conn.CommandPongSpec],
  REDELIVER_UNACKNOWLEDGED_MESSAGES: [20, cons.CommandRedeliverUnacknowledgedMessagesSpec],
  PARTITIONED_METADATA: [21, lookup.CommandPartitionedTopicMetadataSpec],
  PARTITIONED_METADATA_RESPONSE: [22, lookup.CommandPartitionedTopicMetadataResponseSpec],
  LOOKUP: [23, lookup.CommandLookupTopicSpec],
  LOOKUP_RESPONSE: [24, lookup.CommandLookupTopicResponseSpec],
  REACHED_END_OF_TOPIC: [27, cons.CommandReachedEndOfTopicSpec],
  SEEK: [28, cons.CommandSeekSpec],
  GET_LAST_MESSAGE_ID: [29, cons.CommandGetLastMessageIdSpec],
  GET_LAST_MESSAGE_ID_RESPONSE: [30, cons.CommandGetLastMessageIdResponseSpec],
  ACTIVE_CONSUMER_CHANGE: [31, cons.CommandActiveConsumerChangeSpec],
  GET_TOPICS_OF_NAMESPACE: [32, lookup.CommandGetTopicsOfNamespaceSpec],
  GET_TOPICS_OF_NAMESPACE_RESPONSE: [33, lookup.CommandGetTopicsOfNamespaceResponseSpec],
  GET_SCHEMA: [34, schema.CommandGetSchemaSpec],
  GET_SCHEMA_RESPONSE: [35, schema.CommandGetSchemaResponseSpec],
  AUTH_CHALLENGE: [36, conn.CommandAuthChallengeSpec],
  AUTH_RESPONSE: [37, conn.CommandAuthResponseSpec],
  ACK_RESPONSE: [38, cons.CommandAckResponseSpec],
  GET_OR_CREATE_SCHEMA: [39, schema.CommandGetOrCreateSchemaSpec],
  GET_OR_CREATE_SCHEMA_RESPONSE: [40, schema.CommandGetOrCreateSchemaResponseSpec],
  TOPIC_MIGRATED: [68, lookup.CommandTopicMigratedSpec],
};

/** BaseCommand.Type values we recognise but do not decode (stats, transactions, topic watchers). */
export const OTHER_COMMAND_CODES: Readonly<Record<number, string>> = {
  25: 'CONSUMER_STATS',
  26: 'CONSUMER_STATS_RESPONSE',
  50: 'NEW_TXN',
  51: 'NEW_TXN_RESPONSE',
  52: 'ADD_PARTITION_TO_TXN',
  53: 'ADD_PARTITION_TO_TXN_RESPONSE',
  54: 'ADD_SUBSCRIPTION_TO_TXN',
  55: 'ADD_SUBSCRIPTION_TO_TXN_RESPONSE',
  56: 'END_TXN',
  57: 'END_TXN_RESPONSE',
  58: 'END_TXN_ON_PARTITION',
  59: 'END_TXN_ON_PARTITION_RESPONSE',
  60: 'END_TXN_ON_SUBSCRIPTION',
  61: 'END_TXN_ON_SUBSCRIPTION_RESPONSE',
  62: 'TC_CLIENT_CONNECT_REQUEST',
  63: 'TC_CLIENT_CONNECT_RESPONSE',
  64: 'WATCH_TOPIC_LIST',
  65: 'WATCH_TOPIC_LIST_SUCCESS',
  66: 'WATCH_TOPIC_UPDATE',
  67: 'WATCH_TOPIC_LIST_CLOSE',
};

const BY_CODE: (readonly [CommandType, MessageSpec<object>] | undefined)[] = [];
for (const [name, [code, spec]] of Object.entries(COMMANDS) as [CommandType, Entry<CommandType>][]) {
  BY_CODE[code] = [name, spec as MessageSpec<object>];
}

/** One command, flattened: `{ type: 'FLOW', consumerId: 1n, messagePermits: 1000 }`. */
export type Command = { [K in CommandType]: { type: K } & CommandMap[K] }[CommandType];
export type CommandOf<K extends CommandType> = Extract<Command, { type: K }>;

/** A command type this codec does not decode; the client can log it and carry on. */
export interface UnsupportedCommand {
  type: 'UNSUPPORTED';
  code: number;
  name: string;
}
export type DecodedCommand = Command | UnsupportedCommand;

/** Writes a BaseCommand (no size prefix) into `w`. */
export function writeBaseCommand(w: ProtoWriter, cmd: Command): void {
  const entry = COMMANDS[cmd.type] as Entry<CommandType> | undefined;
  if (!entry) throw new K2pError('K2P_PLS_ENCODE', `unknown command type ${String(cmd.type)}`);
  const [code, spec] = entry;
  w.tag(1, WIRE_VARINT);
  w.varint32(code);
  // The sub-message is written even when empty (PING/PONG): brokers expect the field to be set.
  w.fork(code);
  encodeFields(w, spec as MessageSpec<object>, cmd);
  w.join();
}

export function encodeBaseCommand(cmd: Command): Buffer {
  const w = new ProtoWriter(256);
  writeBaseCommand(w, cmd);
  return w.finish();
}

/** Decodes a BaseCommand from `buf[start, end)`. */
export function decodeBaseCommand(buf: Buffer, start = 0, end = buf.length): DecodedCommand {
  const r = new ProtoReader(buf, start, end);
  let code = -1;
  // Remember where each length-delimited field is; the one matching `type` is decoded afterwards,
  // so field order on the wire does not matter.
  let subNo = -1;
  let subStart = 0;
  let subEnd = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1 && wt === WIRE_VARINT) {
      code = r.int32();
    } else if (wt === WIRE_LEN && no >= 2) {
      const len = r.length();
      if (code === -1 || no === code) {
        subNo = no;
        subStart = r.pos;
        subEnd = r.pos + len;
      }
      r.pos += len;
    } else {
      r.skip(wt);
    }
  }
  if (code === -1) throw new K2pError('K2P_PLS_DECODE', 'BaseCommand without a type');
  const known = BY_CODE[code];
  if (!known) return { type: 'UNSUPPORTED', code, name: OTHER_COMMAND_CODES[code] ?? `TYPE_${code}` };
  const [type, spec] = known;
  // Absent sub-message: decode an empty range, which fails only if the command has required fields.
  const into: Record<string, unknown> = { type };
  if (subNo === code) return decodeMessage(spec, buf, subStart, subEnd, into) as Command;
  return decodeMessage(spec, buf, 0, 0, into) as Command;
}
