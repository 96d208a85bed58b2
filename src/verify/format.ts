// The report as text for people (the CLI prints it; --json prints the report itself).
import { DIVERGENCE_COUNTERS, type Counts, type Divergence, type VerifyReport } from './types.js';

const n = (x: number) => x.toLocaleString('en-US');

function problems(c: Counts): string {
  const parts = DIVERGENCE_COUNTERS.filter((k) => c[k] > 0).map((k) => `${k} ${n(c[k])}`);
  if (c.inFlight > 0) parts.push(`in flight ${n(c.inFlight)}`);
  const found = parts.length > 0 ? parts.join(', ') : 'identical';
  return c.headerOrderUnchecked > 0 ? `${found}; header order not checked for ${n(c.headerOrderUnchecked)} records` : found;
}

function where(d: Divergence): string {
  const k = d.kafka ? `Kafka ${d.kafka.topic}[${d.kafka.partition}]@${d.kafka.offset}` : undefined;
  const p = d.pulsar
    ? `Pulsar ${d.pulsar.topic} ${d.pulsar.messageId}`
    : d.pulsarBefore
      ? `Pulsar: before ${d.pulsarBefore.topic} ${d.pulsarBefore.messageId}`
      : undefined;
  return [k, p].filter(Boolean).join(' | ');
}

export function formatReport(r: VerifyReport): string {
  const lines: string[] = [];
  const records = r.topics.reduce((s, t) => s + t.kafkaRecords, 0);
  lines.push(
    `verify (${r.mode}): ${r.identical ? 'IDENTICAL' : 'DIVERGENT'} — ${n(r.divergenceCount)} divergence(s); ${n(records)} Kafka records in ${r.topics.length} topic(s) compared in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  if (r.headerOrderUnchecked > 0)
    lines.push(
      `header order not checked for ${n(r.headerOrderUnchecked)} records (kafkajs cannot give it; pass kafkaConnector to check it)`,
    );
  for (const t of r.topics) {
    lines.push(
      `${t.topic} → ${t.pulsarTopic}: Kafka ${n(t.kafkaRecords)}, Pulsar ${n(t.pulsarMessages)}, matched ${n(t.matched)} — ${problems(t)}`,
    );
    for (const p of t.partitions) {
      const label = p.partition >= 0 ? `[${p.partition}]` : '[all]';
      const ranges = p.ranges.map((x) => `${x.from}..${x.to}`).join(' ');
      lines.push(
        `  ${label} offsets ${ranges}: Kafka ${n(p.kafkaRecords)}, Pulsar ${n(p.pulsarMessages)}, matched ${n(p.matched)} — ${problems(p)}`,
      );
    }
  }
  if (r.positions.length > 0) {
    lines.push('positions:');
    for (const p of r.positions)
      lines.push(
        `  ${p.ok ? 'ok  ' : 'DIFF'} ${p.group} → ${p.subscription} ${p.topic}[${p.partition}]: ${p.detail}`,
      );
  }
  for (const s of r.samples ?? []) lines.push(`sample ${s.topic}: ${s.statement}`);
  if (r.divergences.length > 0) {
    const more = r.divergenceCount > r.divergences.length ? ` (of ${n(r.divergenceCount)})` : '';
    lines.push(`first ${r.divergences.length} divergence(s)${more}:`);
    for (const d of r.divergences) lines.push(`  ${d.kind.padEnd(10)} ${where(d)} — ${d.detail}`);
  }
  return lines.join('\n');
}
