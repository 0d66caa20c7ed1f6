#!/usr/bin/env bash
# The main job on the embedded local backend, in a temporary store and a
# temporary copy of a sample app with hardcoded credentials:
#   scan (fails) → migrate (dry run) → migrate --apply → scan (passes) →
#   the app runs under exec with its values → put → versions → rollback →
#   rotation set → check (the security checklist passes).
set -euo pipefail
bin=$(cd "$(dirname "${1:-secretctl}")" && pwd)/$(basename "${1:-secretctl}")
[ -x "$bin" ] || bin=$(command -v "${1:-secretctl}")
repo=$(cd "$(dirname "$0")/.." && pwd)
export SECRETCTL_HOME=$(mktemp -d)
app=$(mktemp -d)
trap 'rm -rf "$SECRETCTL_HOME" "$app"' EXIT
run() { printf '\n$ %s\n' "secretctl $*"; "$bin" "$@"; }

# The seed's sample app: config.js with its database password and API key
# and secret written into the code, committed to git.
cp "$repo/internal/migrate/testdata/sample/config.js" "$app/config.js"
cd "$app"
git init -q && git add config.js
git -c user.name=demo -c user.email=demo@example.com commit -qm "sample app"

if run scan --no-color; then echo "expected scan to find the hardcoded values" >&2; exit 1; fi
run migrate --to demo/myapp
run migrate --to demo/myapp --apply
printf '\n$ git diff --stat\n'; git diff --stat
run scan --no-color
run migrate --check

js='const c = require("./config.js"); console.log(c.database.password, c.api.key, c.api.secret)'
if command -v node >/dev/null 2>&1; then
  run exec --secret demo/myapp -- node -e "$js"
else
  run exec --secret demo/myapp -- sh -c 'echo "$DATABASE_PASSWORD $API_KEY $API_SECRET"'
fi

# Versions of the stored secret: a new value, the previous one, rollback.
fresh() { od -An -N12 -tx1 /dev/urandom | tr -d ' \n'; }
printf '{"API_KEY":"%s","API_SECRET":"%s","DATABASE_PASSWORD":"%s"}' "$(fresh)" "$(fresh)" "$(fresh)" | run put demo/myapp
run get demo/myapp --key API_KEY; printf '\n'
run get demo/myapp --key API_KEY --stage AWSPREVIOUS; printf '\n'
run versions demo/myapp
run rollback demo/myapp
run get demo/myapp --key API_KEY; printf '\n'
run list
run describe demo/myapp

# A rotation schedule, then the checklist: nothing hardcoded, every variable
# stored, the store's files private, the audit chain intact, rotation set.
run rotation set demo/myapp --rotator random --every 30d
run check --no-color
