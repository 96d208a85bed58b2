// Registry compatibility levels → Pulsar schema compatibility strategies (a topic policy).
import { PULSAR_STRATEGIES } from '../config/defaults.js';

export { PULSAR_STRATEGIES };
export type PulsarStrategy = (typeof PULSAR_STRATEGIES)[number];

const LEVELS: Record<string, PulsarStrategy> = {
  NONE: 'ALWAYS_COMPATIBLE',
  BACKWARD: 'BACKWARD',
  BACKWARD_TRANSITIVE: 'BACKWARD_TRANSITIVE',
  FORWARD: 'FORWARD',
  FORWARD_TRANSITIVE: 'FORWARD_TRANSITIVE',
  FULL: 'FULL',
  FULL_TRANSITIVE: 'FULL_TRANSITIVE',
};

/** The Pulsar strategy for a registry level; undefined for a level Pulsar has no equivalent of. */
export function pulsarStrategy(registryLevel: string): PulsarStrategy | undefined {
  return LEVELS[registryLevel.toUpperCase()];
}
