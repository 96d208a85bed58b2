#!/usr/bin/env bash
# Creates .venv with the interop referees (official Pulsar Python client, confluent-kafka) and schemathesis (the
# facade fuzz test), all pinned in test/interop/requirements.txt. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
req=test/interop/requirements.txt
stamp=.venv/.requirements.sha
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q -r "$req"
echo "$want" > "$stamp"
