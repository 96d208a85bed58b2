// The demo's Kafka estate: what a small shop runs on Kafka before it moves.
//   <p>.orders     6 partitions, keyed JSON with headers — and a producer that keeps writing during the run;
//   <p>.payments   3 partitions, Avro through the Schema Registry, the schema changes mid-stream (v1 → v2);
//   <p>.customers  3 partitions, cleanup.policy=compact: keys updated, some deleted with tombstones;
//   <p>.ledger     2 partitions, written in transactions, one of them aborted;
// and consumer groups stopped at different places: billing (orders, ~60%), analytics (payments, ~35%),
// crm (customers, all) and audit (ledger, all). Offsets are set with the admin API, as a consumer that
// committed there would have left them.
import avro from 'avsc';
import type { Kafka, Message } from 'kafkajs';
import { frameHeader } from '../../src/schema/index.js';

export interface Estate {
  prefix: string;
  topics: { orders: string; payments: string; customers: string; ledger: string };
  groups: Record<'billing' | 'analytics' | 'crm' | 'audit', { topic: string; offsets: Map<number, number> }>;
  records: number;
}

const PAYMENT_V1 = { type: 'record', name: 'Payment', namespace: 'shop', fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }] };
const PAYMENT_V2 = { ...PAYMENT_V1, fields: [...PAYMENT_V1.fields, { name: 'currency', type: 'string', default: 'EUR' }] };

async function registerSchema(registryUrl: string, subject: string, schema: object): Promise<number> {
  const res = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  if (!res.ok) throw new Error(`registry: ${subject} → ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

function order(i: number): Message {
  return {
    key: `customer-${i % 997}`,
    value: JSON.stringify({ order: i, customer: `customer-${i % 997}`, amount: Math.round(1000 + Math.sin(i) * 900) / 100, items: 1 + (i % 5) }),
    headers: { source: 'web-shop', 'trace-id': Buffer.from(i.toString(16).padStart(8, '0')) },
  };
}

export async function createEstate(kafka: Kafka, registryUrl: string, prefix: string): Promise<Estate> {
  const topics = { orders: `${prefix}.orders`, payments: `${prefix}.payments`, customers: `${prefix}.customers`, ledger: `${prefix}.ledger` };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: topics.orders, numPartitions: 6 },
      { topic: topics.payments, numPartitions: 3 },
      { topic: topics.customers, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: topics.ledger, numPartitions: 2 },
    ],
  });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let records = 0;
  for (let start = 0; start < 60_000; start += 5000) {
    await producer.send({ topic: topics.orders, messages: Array.from({ length: 5000 }, (_, j) => order(start + j)) });
    records += 5000;
  }

  // Payments: 5,000 with schema v1, then the team adds `currency` (with a default) and writes 5,000 more.
  const subject = `${topics.payments}-value`;
  for (const [version, schema] of [PAYMENT_V1, PAYMENT_V2].entries()) {
    const id = await registerSchema(registryUrl, subject, schema);
    const type = avro.Type.forSchema(schema as avro.Schema);
    const header = frameHeader(id);
    const messages = Array.from({ length: 5000 }, (_, j) => {
      const i = version * 5000 + j;
      const body = type.toBuffer(version === 0 ? { id: `pay-${i}`, amount: i / 100 } : { id: `pay-${i}`, amount: i / 100, currency: i % 2 ? 'EUR' : 'USD' });
      return { key: `pay-${i}`, value: Buffer.concat([header, body]) };
    });
    await producer.send({ topic: topics.payments, messages });
    records += messages.length;
  }

  // Customers: 500 keys updated 6 times, every 25th key deleted at the end.
  for (let round = 0; round < 6; round++) {
    await producer.send({ topic: topics.customers, messages: Array.from({ length: 500 }, (_, k) => ({ key: `customer-${k}`, value: JSON.stringify({ customer: k, tier: ['bronze', 'silver', 'gold'][(k + round) % 3], round }) })) });
    records += 500;
  }
  await producer.send({ topic: topics.customers, messages: Array.from({ length: 20 }, (_, k) => ({ key: `customer-${k * 25}`, value: null })) });
  records += 20;
  await producer.disconnect();

  // Ledger: three committed transactions and one aborted between them (its records never reach Pulsar).
  const tx = kafka.producer({ transactionalId: `${prefix}-ledger-writer`, idempotent: true, maxInFlightRequests: 1 });
  await tx.connect();
  for (let t = 0; t < 4; t++) {
    const transaction = await tx.transaction();
    await transaction.send({ topic: topics.ledger, messages: Array.from({ length: 500 }, (_, j) => ({ key: `account-${j % 50}`, value: JSON.stringify({ entry: t * 500 + j, aborted: t === 2 }) })) });
    if (t === 2) await transaction.abort();
    else {
      await transaction.commit();
      records += 500;
    }
  }
  await tx.disconnect();

  // Consumer groups where their services stopped reading.
  const ends = async (topic: string) => new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  const groups = {} as Estate['groups'];
  const place = async (name: keyof Estate['groups'], topic: string, share: number) => {
    const offsets = new Map([...(await ends(topic))].map(([p, high]) => [p, Math.floor(high * share)]));
    await admin.setOffsets({ groupId: `${prefix}-${name}`, topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })) });
    groups[name] = { topic, offsets };
  };
  await place('billing', topics.orders, 0.6);
  await place('analytics', topics.payments, 0.35);
  await place('crm', topics.customers, 1);
  await place('audit', topics.ledger, 1);
  await admin.disconnect();
  return { prefix, topics, groups, records };
}

/** Keeps writing orders (about 200 a second) until stopped: the shop does not stop for the migration. */
export function keepWriting(kafka: Kafka, topic: string): { stop(): Promise<number> } {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let running = true;
  let written = 0;
  const loop = (async () => {
    await producer.connect();
    for (let i = 1_000_000; running; i += 20) {
      await producer.send({ topic, messages: Array.from({ length: 20 }, (_, j) => order(i + j)) });
      written += 20;
      await new Promise((r) => setTimeout(r, 100));
    }
    await producer.disconnect();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return written;
    },
  };
}
