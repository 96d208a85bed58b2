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

/** Topics whose mapping is remembered (the table starts over when full: clients may name any topic). */
const RESOLVED_MAX = 10_000;

export class RouteTable {
  private readonly overrides = new Map<string, Route>();
  private readonly listeners: RouteListener[] = [];
  /**
   * Mapping and Pulsar topic per topic name: the config is frozen, so they never change, and resolving them
   * (patterns, the target template, the Pulsar name's parse) was ~3 % of the facade's busy CPU per request.
   */
  private readonly resolved = new Map<string, { mapping?: TopicMapping; pulsarTopic?: string }>();

  constructor(
    private readonly config: GatewayConfig,
    /** The Kafka connector whose topics the facade serves. */
    private readonly source: string,
  ) {}

  /** The route of a topic now. Unmapped topics are on `kafka`. */
  lookup(topic: string): TopicRoute {
    let r = this.resolved.get(topic);
    if (!r) {
      const mapping = resolveTopic(this.config, this.source, topic);
      r = mapping ? { mapping, pulsarTopic: targetTopic(mapping, topic) } : {};
      if (this.resolved.size >= RESOLVED_MAX) this.resolved.clear();
      this.resolved.set(topic, r);
    }
    const { mapping, pulsarTopic } = r;
    if (!mapping) return { topic, route: 'kafka' };
    return { topic, route: this.overrides.get(topic) ?? mapping.route ?? 'kafka', mapping, pulsarTopic };
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
