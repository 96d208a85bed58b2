// The Kafka APIs this client speaks and the versions it can encode and decode (all non-flexible).
export const API = Object.freeze({
  produce: { key: 0, min: 3, max: 8 },
  fetch: { key: 1, min: 4, max: 11 },
  listOffsets: { key: 2, min: 1, max: 5 },
  metadata: { key: 3, min: 4, max: 8 },
  saslHandshake: { key: 17, min: 1, max: 1 },
  apiVersions: { key: 18, min: 0, max: 0 },
  saslAuthenticate: { key: 36, min: 0, max: 1 },
  initProducerId: { key: 22, min: 0, max: 1 },
});

export type ApiName = keyof typeof API;
