// What the admin API needs of the HTTP facade to show and switch a topic's route. The facade implements it
// (FacadeCore: lookup through its RouteTable, setRoute waiting until the switch is complete).
export type Route = 'kafka' | 'pulsar' | 'dual';
export const ROUTE_VALUES: readonly Route[] = ['kafka', 'pulsar', 'dual'];

export interface RouteControl {
  lookup(topic: string): { topic: string; route: Route; pulsarTopic?: string };
  /** Rejects with an error carrying an HTTP `status` (4xx) when the route cannot be set (unmapped topic). */
  setRoute(topic: string, route: Route): Promise<{ topic: string; route: Route; previous: Route }>;
}
