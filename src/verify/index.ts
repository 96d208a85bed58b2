// Library entry point: `import { verify } from 'kafka-pulsar-gateway/verify'` (docs/verify.md).
export { verify } from './verify.js';
export type {
  Bound,
  DualWriteOptions,
  SampleOptions,
  TopicPair,
  VerifyOptions,
  VerifyProgress,
} from './options.js';
export type {
  Counts,
  Divergence,
  DivergenceKind,
  KafkaCoordinates,
  PartitionSummary,
  PositionCheck,
  PulsarCoordinates,
  SampleReport,
  TopicSummary,
  VerifyReport,
} from './types.js';
export {
  bytesComparator,
  decodedComparator,
  describeBytes,
  type DecodedComparatorOptions,
  type ValueComparator,
  type ValueContext,
} from './values.js';
export { parseBound } from './bounds.js';
export { formatReport } from './format.js';
