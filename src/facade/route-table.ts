// Which side serves each Kafka topic: `kafka`, `pulsar` or `dual`. Starts from the mappings' `route:` and
// can be changed at runtime (setRoute) without any client change; every request reads the table afresh.
import type { GatewayConfig, TopicMapping } from '../config/index.js';
import { resolveGroup, resolveTopic, subscriptionName, targetTopic } from '../config/index.js';
import { RestError, CODES } from './rest-error.js';

export type Route = 'kafka' | 'pulsar' | 'dual';
export const ROUTES: readonly Route[] = ['kafka', 'pulsar', 'dual'];

export interface TopicRoute {
  /** The Kafka topic name (the name clients use). */
  topic: string;
  route: Route;
  /** The topic mapping taking it; absent for an unmapped topic (then only `kafka` is possible). */
  mapping?: TopicMapping;
  /** The Pulsar topic behind it, when mapped. */
  pulsarTopic?: string;
}

export type RouteListener = (topic: string, route: Route, previous: Route) => void;

export class RouteTable {
  private readonly overrides = new Map<string, Route>();
  private readonly listeners: RouteListener[] = [];

  constructor(
    private readonly config: GatewayConfig,
    /** The Kafka connector whose topics the facade serves. */
    private readonly source: string,
  ) {}

  /** The route of a topic now. Unmapped topics are on `kafka`. */
  lookup(topic: string): TopicRoute {
    const mapping = resolveTopic(this.config, this.source, topic);
    const route = this.overrides.get(topic) ?? mapping?.route ?? 'kafka';
    if (!mapping) return { topic, route: 'kafka' };
    return { topic, route, mapping, pulsarTopic: targetTopic(mapping, topic) };
  }

  /** The durable Pulsar subscription holding a Kafka group's committed offsets (group mapping, else the group name). */
  subscriptionFor(group: string): string {
    const m = resolveGroup(this.config, this.source, group);
    return m ? subscriptionName(m, group) : group;
  }

  /** Switches a topic's route; refused for an unmapped topic unless to `kafka`. Returns the previous route. */
  setRoute(topic: string, route: Route): Route {
    if (!ROUTES.includes(route)) throw new RestError(CODES.UNPROCESSABLE, `route must be one of ${ROUTES.join(', ')}`);
    const before = this.lookup(topic);
    if (route !== 'kafka' && !before.mapping) {
      throw new RestError(CODES.UNPROCESSABLE, `topic ${topic} has no topic mapping, so it has no Pulsar topic: only route kafka is possible`);
    }
    this.overrides.set(topic, route);
    for (const l of this.listeners) l(topic, route, before.route);
    return before.route;
  }

  onChange(listener: RouteListener): void {
    this.listeners.push(listener);
  }

  /** Every topic whose route was set at runtime, with its route. */
  overridden(): Record<string, Route> {
    return Object.fromEntries(this.overrides);
  }
}
