// The Pulsar admin REST client: `new PulsarAdmin({ url, token })`.
import { AdminHttp, type AdminHttpOptions } from './http.js';
import { Schemas } from './schemas.js';
import { Subscriptions } from './subscriptions.js';
import { Namespaces, Tenants } from './tenants.js';
import { Topics } from './topics.js';

export class PulsarAdmin {
  readonly tenants: Tenants;
  readonly namespaces: Namespaces;
  readonly topics: Topics;
  readonly subscriptions: Subscriptions;
  readonly schemas: Schemas;

  constructor(options: AdminHttpOptions) {
    const http = new AdminHttp(options);
    this.tenants = new Tenants(http);
    this.namespaces = new Namespaces(http);
    this.topics = new Topics(http);
    this.subscriptions = new Subscriptions(http);
    this.schemas = new Schemas(http);
  }
}

export type { AdminHttpOptions } from './http.js';
export type { CursorPosition } from './subscriptions.js';
export type { NamespaceAction } from './tenants.js';
export type { SchemaInfoJson, StoredSchema } from './schemas.js';
export type { CursorInternalStats, MessagePosition, RetentionPolicy, SubscriptionStats, TopicInternalStats, TopicStats } from './topics.js';
