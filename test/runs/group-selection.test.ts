// A run's group selection is taken from its mappings when it is created, so status and the admin API list
// its groups without loading the config files (nor resolving their secrets) again.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { groupSelectionOf, selects } from '../../src/runs/group-selection.js';
import { writeConfig } from './helpers.js';

test('the selection names the offsets scope and takes exactly the mapped groups (names and /regex/)', () => {
  const { dir, files } = writeConfig('sel');
  writeFileSync(
    join(dir, 'more.yaml'),
    `source: kafka-t
target: pulsar-t
topics:
  - match: other
    to: persistent://public/default/{topic}
groups:
  - match: /^billing-.*$/i
    subscription: '{group}'
`,
  );
  const selection = groupSelectionOf(loadConfig([...files, join(dir, 'more.yaml')]));
  assert.ok(selection);
  assert.equal(selection.scope, 'kafka-t→pulsar-t');
  assert.equal(selects(selection, 'sel-g'), true);
  assert.equal(selects(selection, 'BILLING-eu'), true, 'regex flags are kept');
  assert.equal(selects(selection, 'sel-g2'), false, 'an exact name is not a prefix');
  assert.equal(selects(selection, 'orders'), false);
  // Stored as JSON with the run: the selection survives the round trip.
  const stored = JSON.parse(JSON.stringify(selection)) as typeof selection;
  assert.equal(selects(stored, 'billing-us'), true);
});

test('no mapping with groups: no selection', () => {
  const { dir, files } = writeConfig('nosel');
  writeFileSync(join(dir, 'mapping.yaml'), 'source: kafka-t\ntarget: pulsar-t\ntopics:\n  - match: x\n    to: persistent://public/default/{topic}\n');
  assert.equal(groupSelectionOf(loadConfig(files)), undefined);
});
