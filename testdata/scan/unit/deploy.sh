#!/bin/sh
export API_TOKEN="unit-shell-tok-6b2f9e1c"
export DB_PASSWORD="$(cat /run/secrets/db)"
psql "postgres://app:Unit-Url-pw-5150@db:5432/app"
psql "postgres://app:${DB_PASSWORD}@db:5432/app"
curl -H "Authorization: Bearer unitBearer1234abcd5678" https://api.invalid/
