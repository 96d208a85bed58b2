// The broker setting exact translation needs: acknowledgmentAtBatchIndexLevelEnabled=true. Without it the
// broker keeps a batch entry until all its messages are acknowledged and ignores batch-index positions, so a
// subscription placed inside a batch would deliver the earlier messages of that batch again.
import { K2pError } from '../errors.js';
import { AdminHttp, type AdminHttpOptions } from '../pulsar/admin/http.js';

export interface BrokerCheck {
  ok: boolean;
  /** What is missing and how to fix it (empty when ok). */
  problems: string[];
}

export async function checkBrokerSettings(options: AdminHttpOptions): Promise<BrokerCheck> {
  const http = new AdminHttp(options);
  const runtime = await http.call<Record<string, string>>('GET', '/admin/v2/brokers/configuration/runtime');
  const problems: string[] = [];
  if (runtime.acknowledgmentAtBatchIndexLevelEnabled !== 'true') {
    problems.push(
      'acknowledgmentAtBatchIndexLevelEnabled is not true on the broker: a Kafka offset inside a Pulsar batch cannot be a subscription position (the batch would be delivered again from its first message). Set acknowledgmentAtBatchIndexLevelEnabled=true in broker.conf (or standalone.conf) and restart the brokers.',
    );
  }
  return { ok: problems.length === 0, problems };
}

export async function assertBrokerSettings(options: AdminHttpOptions): Promise<void> {
  const check = await checkBrokerSettings(options);
  if (!check.ok) throw new K2pError('K2P_OFF_BROKER_SETTING', check.problems.join(' '), { problems: check.problems });
}
