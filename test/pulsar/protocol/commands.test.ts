import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMANDS,
  decodeBaseCommand,
  encodeBaseCommand,
  type Command,
  type CommandType,
} from '../../../src/pulsar/protocol/commands.js';
import { decodeMessage, encodeMessage } from '../../../src/pulsar/protocol/codec.js';
import {
  MessageMetadataSpec,
  SingleMessageMetadataSpec,
  type MessageIdData,
  type Schema,
} from '../../../src/pulsar/protocol/messages.js';
import { ServerErrorEnum } from '../../../src/pulsar/protocol/enums.js';
import { isK2pError } from '../../../src/errors.js';

const id = (ledgerId: bigint, entryId: bigint, more: Partial<MessageIdData> = {}): MessageIdData => ({
  ledgerId,
  entryId,
  partition: -1,
  batchIndex: -1,
  ...more,
});
const schema: Schema = {
  name: 'orders',
  schemaData: Buffer.from('{"type":"record"}'),
  type: 'Avro',
  properties: [{ key: '__alwaysAllowNull', value: 'true' }],
};
const big = 2n ** 64n - 2n;

// One sample per command, with defaulted fields spelled out so a decode equals its input.
const SAMPLES: { [K in CommandType]: Extract<Command, { type: K }> } = {
  CONNECT: {
    type: 'CONNECT',
    clientVersion: 'k2p-0.1.0',
    authMethod: 'AuthMethodNone',
    authData: Buffer.from('token-bytes'),
    protocolVersion: 21,
    authMethodName: 'token',
    proxyToBrokerUrl: 'pulsar://b:6650',
    originalPrincipal: 'p',
    originalAuthData: 'd',
    originalAuthMethod: 'm',
    featureFlags: {
      supportsAuthRefresh: true,
      supportsBrokerEntryMetadata: true,
      supportsPartialProducer: false,
      supportsTopicWatchers: true,
      supportsGetPartitionedMetadataWithoutAutoCreation: true,
    },
    proxyVersion: '4.0',
  },
  CONNECTED: {
    type: 'CONNECTED',
    serverVersion: 'Pulsar Server4.0.0',
    protocolVersion: 21,
    maxMessageSize: 5242880,
    featureFlags: { supportsAuthRefresh: true },
  },
  SUBSCRIBE: {
    type: 'SUBSCRIBE',
    topic: 'persistent://shop/orders/orders-partition-0',
    subscription: 'billing',
    subType: 'Key_Shared',
    consumerId: 3n,
    requestId: 4n,
    consumerName: 'c1',
    priorityLevel: 2,
    durable: false,
    startMessageId: id(10n, 20n, { partition: 0, batchIndex: 3 }),
    metadata: [{ key: 'a', value: 'b' }],
    readCompacted: true,
    schema,
    initialPosition: 'Earliest',
    replicateSubscriptionState: true,
    forceTopicCreation: false,
    startMessageRollbackDurationSec: 3600,
    keySharedMeta: {
      keySharedMode: 'STICKY',
      hashRanges: [{ start: 0, end: 32767 }],
      allowOutOfOrderDelivery: true,
    },
    subscriptionProperties: [{ key: 'owner', value: 'k2p' }],
    consumerEpoch: 7n,
  },
  PRODUCER: {
    type: 'PRODUCER',
    topic: 'persistent://shop/orders/orders',
    producerId: 1n,
    requestId: 2n,
    producerName: 'k2p-orders-0',
    encrypted: false,
    metadata: [{ key: 'origin', value: 'kafka' }],
    schema,
    epoch: 3n,
    userProvidedProducerName: true,
    producerAccessMode: 'ExclusiveWithFencing',
    topicEpoch: 9n,
    txnEnabled: false,
    initialSubscriptionName: 'init',
  },
  SEND: {
    type: 'SEND',
    producerId: 1n,
    sequenceId: big,
    numMessages: 10,
    txnidLeastBits: 5n,
    txnidMostBits: 6n,
    highestSequenceId: big + 1n,
    isChunk: false,
    marker: false,
    messageId: id(1n, 2n),
  },
  SEND_RECEIPT: {
    type: 'SEND_RECEIPT',
    producerId: 1n,
    sequenceId: 300n,
    messageId: id(7n, 2n ** 40n),
    highestSequenceId: 301n,
  },
  SEND_ERROR: {
    type: 'SEND_ERROR',
    producerId: 1n,
    sequenceId: 2n,
    error: 'ChecksumError',
    message: 'bad crc',
  },
  MESSAGE: {
    type: 'MESSAGE',
    consumerId: 3n,
    messageId: id(100n, 200n, { partition: 2, batchIndex: -1, batchSize: 4 }),
    redeliveryCount: 1,
    ackSet: [-1n, 5n],
    consumerEpoch: 2n,
  },
  ACK: {
    type: 'ACK',
    consumerId: 3n,
    ackType: 'Individual',
    messageId: [id(1n, 2n, { ackSet: [3n] }), id(1n, 3n, { firstChunkMessageId: id(1n, 1n) })],
    validationError: 'ChecksumMismatch',
    properties: [{ key: 'k', value: 2n ** 63n }],
    txnidLeastBits: 1n,
    txnidMostBits: 2n,
    requestId: 99n,
  },
  FLOW: { type: 'FLOW', consumerId: 5n, messagePermits: 1000 },
  UNSUBSCRIBE: { type: 'UNSUBSCRIBE', consumerId: 3n, requestId: 8n, force: true },
  SUCCESS: { type: 'SUCCESS', requestId: 8n, schema },
  ERROR: { type: 'ERROR', requestId: 9n, error: 'TopicNotFound', message: 'nope' },
  CLOSE_PRODUCER: {
    type: 'CLOSE_PRODUCER',
    producerId: 1n,
    requestId: 10n,
    assignedBrokerServiceUrl: 'pulsar://b2:6650',
    assignedBrokerServiceUrlTls: 'pulsar+ssl://b2:6651',
  },
  CLOSE_CONSUMER: { type: 'CLOSE_CONSUMER', consumerId: 3n, requestId: 11n },
  PRODUCER_SUCCESS: {
    type: 'PRODUCER_SUCCESS',
    requestId: 2n,
    producerName: 'standalone-0-1',
    lastSequenceId: 41n,
    schemaVersion: Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]),
    topicEpoch: 1n,
    producerReady: false,
  },
  PING: { type: 'PING' },
  PONG: { type: 'PONG' },
  REDELIVER_UNACKNOWLEDGED_MESSAGES: {
    type: 'REDELIVER_UNACKNOWLEDGED_MESSAGES',
    consumerId: 3n,
    messageIds: [id(1n, 2n), id(1n, 3n)],
    consumerEpoch: 4n,
  },
  PARTITIONED_METADATA: {
    type: 'PARTITIONED_METADATA',
    topic: 'persistent://shop/orders/orders',
    requestId: 12n,
    originalPrincipal: 'p',
    originalAuthData: 'd',
    originalAuthMethod: 'm',
    metadataAutoCreationEnabled: false,
  },
  PARTITIONED_METADATA_RESPONSE: {
    type: 'PARTITIONED_METADATA_RESPONSE',
    partitions: 6,
    requestId: 12n,
    response: 'Success',
    error: 'ServiceNotReady',
    message: 'm',
  },
  LOOKUP: {
    type: 'LOOKUP',
    topic: 'persistent://shop/orders/orders-partition-5',
    requestId: 13n,
    authoritative: true,
    originalPrincipal: 'p',
    originalAuthData: 'd',
    originalAuthMethod: 'm',
    advertisedListenerName: 'internal',
  },
  LOOKUP_RESPONSE: {
    type: 'LOOKUP_RESPONSE',
    brokerServiceUrl: 'pulsar://b:6650',
    brokerServiceUrlTls: 'pulsar+ssl://b:6651',
    response: 'Redirect',
    requestId: 13n,
    authoritative: true,
    error: 'MetadataError',
    message: 'm',
    proxyThroughServiceUrl: true,
  },
  REACHED_END_OF_TOPIC: { type: 'REACHED_END_OF_TOPIC', consumerId: 3n },
  SEEK: {
    type: 'SEEK',
    consumerId: 3n,
    requestId: 14n,
    messageId: id(5n, 6n),
    messagePublishTime: 1700000000000,
  },
  GET_LAST_MESSAGE_ID: { type: 'GET_LAST_MESSAGE_ID', consumerId: 3n, requestId: 15n },
  GET_LAST_MESSAGE_ID_RESPONSE: {
    type: 'GET_LAST_MESSAGE_ID_RESPONSE',
    lastMessageId: id(9n, 10n, { batchIndex: 4 }),
    requestId: 15n,
    consumerMarkDeletePosition: id(9n, 8n),
  },
  ACTIVE_CONSUMER_CHANGE: { type: 'ACTIVE_CONSUMER_CHANGE', consumerId: 3n, isActive: true },
  GET_TOPICS_OF_NAMESPACE: {
    type: 'GET_TOPICS_OF_NAMESPACE',
    requestId: 16n,
    namespace: 'shop/orders',
    mode: 'ALL',
    topicsPattern: 'persistent://shop/orders/.*',
    topicsHash: 'abc',
  },
  GET_TOPICS_OF_NAMESPACE_RESPONSE: {
    type: 'GET_TOPICS_OF_NAMESPACE_RESPONSE',
    requestId: 16n,
    topics: ['persistent://shop/orders/a', 'persistent://shop/orders/b'],
    filtered: true,
    topicsHash: 'def',
    changed: false,
  },
  GET_SCHEMA: {
    type: 'GET_SCHEMA',
    requestId: 17n,
    topic: 'persistent://shop/orders/orders',
    schemaVersion: Buffer.from([1]),
  },
  GET_SCHEMA_RESPONSE: {
    type: 'GET_SCHEMA_RESPONSE',
    requestId: 17n,
    errorCode: 'IncompatibleSchema',
    errorMessage: 'm',
    schema,
    schemaVersion: Buffer.from([2]),
  },
  AUTH_CHALLENGE: {
    type: 'AUTH_CHALLENGE',
    serverVersion: 's',
    challenge: { authMethodName: 'token', authData: Buffer.from('refresh') },
    protocolVersion: 21,
  },
  AUTH_RESPONSE: {
    type: 'AUTH_RESPONSE',
    clientVersion: 'k2p',
    response: { authMethodName: 'token', authData: Buffer.from('new-token') },
    protocolVersion: 21,
  },
  ACK_RESPONSE: {
    type: 'ACK_RESPONSE',
    consumerId: 3n,
    txnidLeastBits: 1n,
    txnidMostBits: 2n,
    error: 'NotAllowedError',
    message: 'm',
    requestId: 99n,
  },
  GET_OR_CREATE_SCHEMA: {
    type: 'GET_OR_CREATE_SCHEMA',
    requestId: 18n,
    topic: 'persistent://shop/orders/orders',
    schema,
  },
  GET_OR_CREATE_SCHEMA_RESPONSE: {
    type: 'GET_OR_CREATE_SCHEMA_RESPONSE',
    requestId: 18n,
    errorCode: 'ProducerFenced',
    errorMessage: 'm',
    schemaVersion: Buffer.from([0, 3]),
  },
  TOPIC_MIGRATED: {
    type: 'TOPIC_MIGRATED',
    resourceId: 1n,
    resourceType: 'Consumer',
    brokerServiceUrl: 'pulsar://green:6650',
    brokerServiceUrlTls: 'pulsar+ssl://green:6651',
  },
};

test('every command round-trips through BaseCommand', () => {
  for (const type of Object.keys(COMMANDS) as CommandType[]) {
    const sample = SAMPLES[type];
    assert.ok(sample, `no sample for ${type}`);
    const bytes = encodeBaseCommand(sample);
    assert.deepEqual(decodeBaseCommand(bytes), sample, type);
  }
});

test('BaseCommand.type and sub-command field numbers follow PulsarApi.proto', () => {
  const expected: Record<string, number> = {
    CONNECT: 2,
    CONNECTED: 3,
    SUBSCRIBE: 4,
    PRODUCER: 5,
    SEND: 6,
    SEND_RECEIPT: 7,
    SEND_ERROR: 8,
    MESSAGE: 9,
    ACK: 10,
    FLOW: 11,
    UNSUBSCRIBE: 12,
    SUCCESS: 13,
    ERROR: 14,
    CLOSE_PRODUCER: 15,
    CLOSE_CONSUMER: 16,
    PRODUCER_SUCCESS: 17,
    PING: 18,
    PONG: 19,
    REDELIVER_UNACKNOWLEDGED_MESSAGES: 20,
    PARTITIONED_METADATA: 21,
    PARTITIONED_METADATA_RESPONSE: 22,
    LOOKUP: 23,
    LOOKUP_RESPONSE: 24,
    REACHED_END_OF_TOPIC: 27,
    SEEK: 28,
    GET_LAST_MESSAGE_ID: 29,
    GET_LAST_MESSAGE_ID_RESPONSE: 30,
    ACTIVE_CONSUMER_CHANGE: 31,
    GET_TOPICS_OF_NAMESPACE: 32,
    GET_TOPICS_OF_NAMESPACE_RESPONSE: 33,
    GET_SCHEMA: 34,
    GET_SCHEMA_RESPONSE: 35,
    AUTH_CHALLENGE: 36,
    AUTH_RESPONSE: 37,
    ACK_RESPONSE: 38,
    GET_OR_CREATE_SCHEMA: 39,
    GET_OR_CREATE_SCHEMA_RESPONSE: 40,
    TOPIC_MIGRATED: 68,
  };
  for (const [type, [code]] of Object.entries(COMMANDS)) assert.equal(code, expected[type], type);
  assert.equal(Object.keys(COMMANDS).length, Object.keys(expected).length);
  for (const type of Object.keys(COMMANDS) as CommandType[]) {
    const bytes = encodeBaseCommand(SAMPLES[type]);
    const code = expected[type]!;
    // [08 <type>] then the sub-message tag (code << 3 | 2) as a varint
    assert.equal(bytes[0], 0x08);
    assert.equal(bytes[1], code);
    const tag = (code << 3) | 2;
    const tagBytes = tag < 128 ? [tag] : [(tag & 0x7f) | 0x80, tag >> 7];
    assert.deepEqual([...bytes.subarray(2, 2 + tagBytes.length)], tagBytes, type);
  }
});

// Expected bytes below were worked out by hand from the .proto, not produced by our encoder.
const VECTORS: [string, string, Command][] = [
  ['FLOW', '080b5a05080510e807', { type: 'FLOW', consumerId: 5n, messagePermits: 1000 }],
  ['PING', '0812920100', { type: 'PING' }],
  [
    'SEND_RECEIPT',
    '08073a10' + '0801' + '10ac02' + '1a09' + '0807' + '10808080808020',
    {
      type: 'SEND_RECEIPT',
      producerId: 1n,
      sequenceId: 300n,
      messageId: { ledgerId: 7n, entryId: 2n ** 40n, partition: -1, batchIndex: -1 },
    },
  ],
  [
    'ERROR',
    '080e720a' + '0809' + '100b' + '1a046e6f7065',
    { type: 'ERROR', requestId: 9n, error: 'TopicNotFound', message: 'nope' },
  ],
  [
    'PRODUCER_SUCCESS',
    '08118a0110' + '0801' + '120170' + '18ffffffffffffffffff01',
    { type: 'PRODUCER_SUCCESS', requestId: 1n, producerName: 'p', lastSequenceId: -1n, producerReady: true },
  ],
  [
    'CONNECT',
    '0802120b' + '0a036b3270' + '2015' + '52021001',
    {
      type: 'CONNECT',
      clientVersion: 'k2p',
      protocolVersion: 21,
      featureFlags: { supportsBrokerEntryMetadata: true },
    },
  ],
  [
    'SUBSCRIBE with keySharedMeta (field 17)',
    '08042217' + '0a0174' + '120173' + '1803' + '2001' + '2802' + '8a0108' + '0801' + '1a0408001002',
    {
      type: 'SUBSCRIBE',
      topic: 't',
      subscription: 's',
      subType: 'Key_Shared',
      consumerId: 1n,
      requestId: 2n,
      durable: true,
      forceTopicCreation: true,
      keySharedMeta: { keySharedMode: 'STICKY', hashRanges: [{ start: 0, end: 2 }] },
    },
  ],
];

test('hand-computed byte vectors decode to the expected commands', () => {
  for (const [name, hexBytes, want] of VECTORS) {
    assert.deepEqual(decodeBaseCommand(Buffer.from(hexBytes, 'hex')), want, name);
  }
});

test('encoding produces the hand-computed bytes (fields written in number order)', () => {
  const inputs: Command[] = [
    { type: 'FLOW', consumerId: 5n, messagePermits: 1000 },
    { type: 'PING' },
    {
      type: 'SEND_RECEIPT',
      producerId: 1n,
      sequenceId: 300n,
      messageId: { ledgerId: 7n, entryId: 2n ** 40n },
    },
    { type: 'ERROR', requestId: 9n, error: 'TopicNotFound', message: 'nope' },
    { type: 'PRODUCER_SUCCESS', requestId: 1n, producerName: 'p', lastSequenceId: -1n },
    {
      type: 'CONNECT',
      clientVersion: 'k2p',
      protocolVersion: 21,
      featureFlags: { supportsBrokerEntryMetadata: true },
    },
    {
      type: 'SUBSCRIBE',
      topic: 't',
      subscription: 's',
      subType: 'Key_Shared',
      consumerId: 1n,
      requestId: 2n,
      keySharedMeta: { keySharedMode: 'STICKY', hashRanges: [{ start: 0, end: 2 }] },
    },
  ];
  inputs.forEach((cmd, i) =>
    assert.equal(encodeBaseCommand(cmd).toString('hex'), VECTORS[i]![1], VECTORS[i]![0]),
  );
});

test('MessageMetadata and SingleMessageMetadata use the proto field numbers', () => {
  const meta = Buffer.from('0a0170' + '1005' + '1880d095ffbc31' + '4001' + '4864' + '5803', 'hex');
  assert.deepEqual(decodeMessage(MessageMetadataSpec, meta), {
    producerName: 'p',
    sequenceId: 5n,
    publishTime: 1700000000000,
    compression: 'LZ4',
    uncompressedSize: 100,
    numMessagesInBatch: 3,
  });
  // null_value = 25 → tag 200 = c8 01; highest_sequence_id = 24 → c0 01; partition_key_b64_encoded = 17 → 88 01
  const meta2 = Buffer.from('0a0170' + '1005' + '1801' + '880101' + 'c00109' + 'c80101', 'hex');
  assert.deepEqual(decodeMessage(MessageMetadataSpec, meta2), {
    producerName: 'p',
    sequenceId: 5n,
    publishTime: 1,
    partitionKeyB64Encoded: true,
    highestSequenceId: 9n,
    nullValue: true,
  });
  const single = Buffer.from('12016b' + '1803' + '3001' + '4801', 'hex');
  assert.deepEqual(decodeMessage(SingleMessageMetadataSpec, single), {
    partitionKey: 'k',
    payloadSize: 3,
    partitionKeyB64Encoded: true,
    nullValue: true,
  });
  assert.equal(
    encodeMessage(SingleMessageMetadataSpec, {
      partitionKey: 'k',
      payloadSize: 3,
      partitionKeyB64Encoded: true,
      nullValue: true,
    }).toString('hex'),
    '12016b180330014801',
  );
});

test('ServerError covers the whole enum and unknown values fall back to UnknownError', () => {
  assert.equal(ServerErrorEnum.byValue.size, 26);
  for (let n = 0; n <= 25; n++) assert.ok(ServerErrorEnum.byValue.has(n), `ServerError ${n}`);
  assert.equal(ServerErrorEnum.byName.ProducerFenced, 25);
  // ERROR with error = 77 (a future code)
  const bytes = Buffer.from('080e72090809104d1a036e6f70', 'hex');
  const cmd = decodeBaseCommand(bytes);
  assert.equal(cmd.type, 'ERROR');
  assert.equal(cmd.type === 'ERROR' && cmd.error, 'UnknownError');
});

test('unknown command types decode as UNSUPPORTED, not as an error', () => {
  // type = NEW_TXN (50) with an empty sub-message in field 50 (tag 402 = 92 03)
  assert.deepEqual(decodeBaseCommand(Buffer.from('0832920300', 'hex')), {
    type: 'UNSUPPORTED',
    code: 50,
    name: 'NEW_TXN',
  });
  assert.deepEqual(decodeBaseCommand(Buffer.from('08e807', 'hex')), {
    type: 'UNSUPPORTED',
    code: 1000,
    name: 'TYPE_1000',
  });
});

test('a command missing its required fields is K2P_PLS_DECODE', () => {
  // FLOW without its sub-message
  assert.throws(
    () => decodeBaseCommand(Buffer.from('080b', 'hex')),
    (e: unknown) => isK2pError(e, 'K2P_PLS_DECODE'),
  );
  // no type at all
  assert.throws(
    () => decodeBaseCommand(Buffer.from('5a00', 'hex')),
    (e: unknown) => isK2pError(e, 'K2P_PLS_DECODE'),
  );
  // wrong wire type for FLOW.consumer_id (LEN instead of varint)
  assert.throws(
    () => decodeBaseCommand(Buffer.from('080b5a030a0100', 'hex')),
    (e: unknown) => isK2pError(e, 'K2P_PLS_DECODE'),
  );
});
