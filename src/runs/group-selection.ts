// The consumer groups a run migrates, taken from its mappings once (when the run is created) and stored with
// it: reading a run's groups then needs neither the YAML/JSON-Schema machinery nor the config's secrets.
import type { GatewayConfig } from '../config/index.js';
import type { GroupSelection } from './types.js';

/** The selection of a loaded config; undefined when no mapping takes groups. */
export function groupSelectionOf(config: GatewayConfig): GroupSelection | undefined {
  const withGroups = config.mappings.filter((m) => m.groups.length > 0);
  const first = withGroups[0];
  if (!first) return undefined;
  // The offsets module keeps one store per cluster pair, named after the first mapping with groups
  // (as offsetsFromConfig does).
  const matchers = withGroups.flatMap((m) => m.groups.map((g) => (g.match.regex ? { regex: g.match.regex.source, flags: g.match.regex.flags } : { name: g.match.name ?? '' })));
  return { scope: `${first.source}→${first.target}`, matchers };
}

/** Whether a selection takes a group. */
export function selects(selection: GroupSelection, group: string): boolean {
  return selection.matchers.some((m) => (m.regex !== undefined ? new RegExp(m.regex, m.flags).test(group) : m.name === group));
}
