#!/usr/bin/env bash
set -eu
DB_PASSWORD="canary-sh-Pq72mZ4x"
export API_TOKEN=canary-shtok-R5t8Wk2n
echo "$DB_PASSWORD $API_TOKEN"
