// Registry compatibility levels → Pulsar schema compatibility strategies (a topic policy).
export const PULSAR_STRATEGIES = [
  'ALWAYS_COMPATIBLE',
  'ALWAYS_INCOMPATIBLE',
  'BACKWARD',
  'FORWARD',
  'FULL',
  'BACKWARD_TRANSITIVE',
  'FORWARD_TRANSITIVE',
  'FULL_TRANSITIVE',
] as const;
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
