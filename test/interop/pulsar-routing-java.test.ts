// Key routing against the official Java client (pulsar-client-original 4.0.7, run by
// test/interop/java/RoutingReferee.java): for 10,000 keys, the Java producer with its default message
// router sends one message per key to a partitioned topic, and the partition each send landed on (from the
// returned MessageId) must be the partition our PartitionRouter picks and the one our producer really sends
// to. Done for the default hashing (JavaStringHash) and for Murmur3_32Hash, on 7 and 16 partitions.
//
// What the Java client does (RoundRobinPartitionMessageRouterImpl, the default router): a message with a
// key goes to signSafeMod(hash(msg.getKey()), numPartitions), where
//   JavaStringHash: key.hashCode() & Integer.MAX_VALUE                       (UTF-16 code units)
//   Murmur3_32Hash: Murmur3 x86_32, seed 0, over key.getBytes(UTF_8), & Integer.MAX_VALUE
// and for .keyBytes(b), getKey() is Base64.getEncoder().encodeToString(b): the base64 text is hashed.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { isHttpStatus } from '../../src/pulsar/admin/http.js';
import { PulsarAdmin } from '../../src/pulsar/admin/index.js';
import { PulsarClient, partitionTopic } from '../../src/pulsar/client/index.js';
import { PartitionRouter } from '../../src/pulsar/client/router.js';
import type { HashingScheme } from '../../src/pulsar/protocol/index.js';
import { runJavaReferee } from '../helpers/java.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const admin = new PulsarAdmin({ url: STACK.pulsarAdminUrl });

type Key = string | Uint8Array;

// ---- 10,000 keys, the same on every run (seeded) ----

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(0x5eed);
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

/** Code point ranges for "varied unicode": BMP scripts, and astral planes (surrogate pairs in UTF-16). */
const BMP_RANGES: [number, number][] = [
  [0x00a0, 0x00ff], // Latin-1
  [0x0100, 0x017f], // Latin Extended-A
  [0x0370, 0x03ff], // Greek
  [0x0400, 0x04ff], // Cyrillic
  [0x05d0, 0x05ea], // Hebrew
  [0x0600, 0x06ff], // Arabic
  [0x0900, 0x097f], // Devanagari
  [0x0e00, 0x0e7f], // Thai
  [0x0300, 0x036f], // combining marks
  [0x3040, 0x30ff], // Hiragana, Katakana
  [0x4e00, 0x9fff], // CJK
  [0xac00, 0xd7a3], // Hangul
  [0xe000, 0xf8ff], // private use
  [0xfe00, 0xfffd], // presentation forms, specials (incl. U+FEFF)
];
const ASTRAL_RANGES: [number, number][] = [
  [0x1f300, 0x1f6ff], // emoji
  [0x1f900, 0x1f9ff], // more emoji
  [0x1d400, 0x1d7ff], // mathematical alphanumerics
  [0x20000, 0x2a6df], // CJK Extension B
  [0x10000, 0x1007f], // Linear B
  [0x10fff0, 0x10ffff], // the top of plane 16
];
const codePoint = (ranges: [number, number][]): string => {
  const [lo, hi] = pick(ranges);
  return String.fromCodePoint(int(lo, hi));
};
const asciiPrintable = (): string => String.fromCharCode(int(0x20, 0x7e));
const asciiAny = (): string => String.fromCharCode(int(0x00, 0x7f));

function stringOf(length: number, char: () => string): string {
  let s = '';
  while (s.length < length) s += char();
  return s;
}

function generateKeys(): Key[] {
  const strings = new Set<string>([
    '',
    ' ',
    'hello',
    'polygenelubricants', // hashCode() == Integer.MIN_VALUE
    'Aa', // "Aa" and "BB" collide in String.hashCode()
    'BB',
    'AaAa',
    'BBBB',
    '\u0000',
    'a\u0000b',
    '\t\r\n',
    '"quoted"\\',
    '\u00e9', // é precomposed
    'e\u0301', // é decomposed
    '\ufeff',
    '\uffff',
    '\ud83d\ude00', // 😀
    '\ud83d\ude00\ud83d\ude01\ud83d\ude02',
    '\u{10ffff}',
    'emoji-\u{1f600}-key',
    'ключ',
    '日本語キー',
    'order-42',
    '0',
    '-1',
    '2147483647',
    '-2147483648',
  ]);
  // Unpaired surrogates: legal in a JS (and Java) string; String.getBytes(UTF_8) turns each into '?'.
  for (const s of [
    '\ud800',
    '\udfff',
    '\udbff',
    '\udc00',
    'a\ud800b',
    'x\udc00',
    '\ud800\ud800',
    '\udc00\ud800',
    'k-\ud83d',
    '\ude00-k',
    'mid\udbffdle\udfff',
  ]) {
    strings.add(s);
  }
  // Long keys.
  for (let i = 0; i < 40; i++) {
    const length = int(1_000, 8_192);
    strings.add(
      stringOf(
        length,
        i % 2 === 0
          ? asciiPrintable
          : () => (rand() < 0.5 ? asciiPrintable() : codePoint(rand() < 0.7 ? BMP_RANGES : ASTRAL_RANGES)),
      ),
    );
  }
  const patterns: (() => string)[] = [
    () => `order-${int(0, 1_000_000)}`,
    () => `user:${int(0, 0xffffffff).toString(16).padStart(8, '0')}-${int(0, 0xffff).toString(16)}`,
    () => `tenant-${int(0, 99)}/ns-${int(0, 9)}/topic-${int(0, 9999)}`,
    () => String(int(-1_000_000_000, 1_000_000_000)),
    () => stringOf(int(1, 64), asciiPrintable),
    () => stringOf(int(1, 16), asciiAny),
    () => stringOf(int(1, 24), () => codePoint(BMP_RANGES)),
    () => stringOf(int(1, 12), () => codePoint(ASTRAL_RANGES)),
    () =>
      stringOf(int(2, 40), () =>
        rand() < 0.4 ? asciiPrintable() : codePoint(rand() < 0.6 ? BMP_RANGES : ASTRAL_RANGES),
      ),
    () => `${pick(['клиент', 'κλειδί', 'مفتاح', 'キー', '키', 'कुंजी'])}-${int(0, 99999)}`,
  ];
  while (strings.size < 9_800) strings.add(pick(patterns)());

  const binary = new Map<string, Uint8Array>();
  const addBinary = (bytes: Uint8Array): void => void binary.set(Buffer.from(bytes).toString('hex'), bytes);
  addBinary(new Uint8Array(0));
  addBinary(new Uint8Array([0]));
  addBinary(new Uint8Array([0xff]));
  addBinary(new Uint8Array(32)); // all zero
  addBinary(new Uint8Array(33).fill(0xff));
  addBinary(Buffer.from('hello')); // base64 "aGVsbG8=" is what gets hashed, not "hello"
  addBinary(Buffer.from('ключ-😀'));
  addBinary(new Uint8Array([0xfb, 0xff, 0xbf])); // base64 "+/+/" (the standard alphabet, not URL-safe)
  while (binary.size < 200) {
    const bytes = new Uint8Array(int(1, 64));
    for (let i = 0; i < bytes.length; i++) bytes[i] = int(0, 255);
    addBinary(bytes);
  }

  // Interleave the binary keys among the string keys.
  const keys: Key[] = [...strings];
  for (const bytes of binary.values()) keys.splice(int(0, keys.length), 0, bytes);
  return keys;
}

const KEYS = generateKeys();

/** The referee's stdin line for a key: UTF-16 code units in hex for strings, base64 for bytes. */
function refereeLine(key: Key): string {
  if (typeof key !== 'string') return `b ${Buffer.from(key).toString('base64')}`;
  let hex = '';
  for (let i = 0; i < key.length; i++) hex += key.charCodeAt(i).toString(16).padStart(4, '0');
  return `s ${hex}`;
}

function describe(key: Key): string {
  if (typeof key !== 'string') return `bytes[${key.length}] base64=${Buffer.from(key).toString('base64')}`;
  const shown = key.length > 40 ? `${key.slice(0, 40)}… (${key.length} UTF-16 units)` : key;
  const units = [...key.slice(0, 12)].map((c) => (c.codePointAt(0) ?? 0).toString(16)).join(' ');
  return `${JSON.stringify(shown)} [code points: ${units}${key.length > 12 ? ' …' : ''}]`;
}

// ---- the topics ----

const topics = new Map<number, string>();

before(async () => {
  for (const partitions of [7, 16]) {
    const topic = `persistent://public/default/${uniqueName(`routing-java-${partitions}`)}`;
    await admin.topics.createPartitioned(topic, partitions);
    topics.set(partitions, topic);
  }
});
// Registered here, not in before(): an after() made inside a hook runs as soon as that hook ends.
cleanup(() =>
  Promise.all(
    [...topics.values()].map((topic) => admin.topics.delete(topic, { force: true }).catch(() => undefined)),
  ),
);

const client = new PulsarClient({ serviceUrl: STACK.pulsarServiceUrl, operationTimeoutMs: 30_000 });
cleanup(() => client.close());

/** Messages the broker has stored per partition (a partition nobody has produced to yet has no stats: 0). */
async function msgInCounters(topic: string, partitions: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: partitions }, async (_, p) => {
      try {
        return (await admin.topics.stats(partitionTopic(topic, p))).msgInCounter;
      } catch (err) {
        if (isHttpStatus(err, 404)) return 0;
        throw err;
      }
    }),
  );
}

test('the key set is what the test claims', () => {
  assert.equal(KEYS.length, 10_000);
  assert.equal(KEYS.filter((k) => typeof k !== 'string').length, 200);
  assert.ok(KEYS.includes(''), 'has the empty string');
  assert.ok(
    KEYS.some((k) => typeof k === 'string' && /[\ud800-\udbff][\udc00-\udfff]/.test(k)),
    'has surrogate pairs',
  );
  assert.ok(
    KEYS.some((k) => typeof k === 'string' && k.length >= 4_096),
    'has long keys',
  );
});

for (const partitions of [7, 16]) {
  for (const scheme of [undefined, 'Murmur3_32Hash'] as const) {
    const label = scheme ?? 'default hashing (JavaStringHash)';
    test(`${partitions} partitions, ${label}: our router and producer put all 10,000 keys where the Java client does`, async () => {
      const topic = topics.get(partitions)!;
      assert.equal(await admin.topics.partitions(topic), partitions, `${topic} is partitioned`);
      const before = await msgInCounters(topic, partitions);

      // The Java client: real sends, the partition read back from each returned MessageId.
      const javaArgs = [
        '--service-url',
        STACK.pulsarServiceUrl,
        '--topic',
        topic,
        ...(scheme ? ['--hashing', scheme] : []),
      ];
      const java = await runJavaReferee<{ i: number; partition: number }>(
        'RoutingReferee.java',
        javaArgs,
        KEYS.map(refereeLine),
      );
      assert.equal(java.lines.length, KEYS.length, 'one result per key from the Java referee');
      const javaPartition = new Array<number>(KEYS.length);
      for (const line of java.lines) javaPartition[line.i] = line.partition;
      assert.equal(
        new Set(javaPartition).size,
        partitions,
        'the Java client spread the keys over every partition',
      );

      // Our router, as the producer uses it (same default as the producer when no scheme is given).
      const router = new PartitionRouter(partitions, scheme as HashingScheme | undefined);
      const routed = KEYS.map((key) => router.choose({ payload: null, key }));

      // Our producer: real sends, the partition from each returned MessageId.
      const producer = await client.createProducer(scheme ? { topic, hashingScheme: scheme } : { topic });
      let sent: number[];
      try {
        const ids = await Promise.all(
          KEYS.map((key, i) => producer.send({ payload: Buffer.from(`ts-${i}`), key })),
        );
        for (const id of ids)
          assert.ok(id.ledgerId >= 0n, `a stored message id, got ${id.ledgerId}:${id.entryId}`);
        sent = ids.map((id) => id.partition);
      } finally {
        await producer.close();
      }

      const mismatches: string[] = [];
      KEYS.forEach((key, i) => {
        if (routed[i] !== javaPartition[i] || sent[i] !== javaPartition[i]) {
          mismatches.push(
            `#${i} ${describe(key)}: java ${javaPartition[i]}, our router ${routed[i]}, our send ${sent[i]}`,
          );
        }
      });
      assert.equal(
        mismatches.length,
        0,
        `${mismatches.length} of ${KEYS.length} keys routed differently from the Java client (${partitions} partitions, ${label}):\n${mismatches.slice(0, 25).join('\n')}`,
      );

      // The broker's own count per partition: what both clients reported is where the messages really went.
      const expected = before.map(
        (n, p) => n + javaPartition.filter((x) => x === p).length + sent.filter((x) => x === p).length,
      );
      let after = await msgInCounters(topic, partitions);
      for (let tries = 0; tries < 50 && after.some((n, p) => n !== expected[p]); tries++) {
        await new Promise((r) => setTimeout(r, 200));
        after = await msgInCounters(topic, partitions);
      }
      assert.deepEqual(after, expected, 'messages stored per partition (broker stats)');
    });
  }
}
