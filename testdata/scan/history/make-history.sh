#!/usr/bin/env bash
# make-history.sh DIR: build a deterministic git repository in DIR whose history adds secrets,
# then removes or rotates them. Expected findings are in labels.json beside this script.
# Every value below is synthetic. The commit ids are stable because author, committer, dates,
# file modes and the absence of hooks and signing are all fixed here.
set -euo pipefail

dir=${1:?usage: make-history.sh DIR}
mkdir -p "$dir"
cd "$dir"

export GIT_AUTHOR_NAME="Fixture Author" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="Fixture Author" GIT_COMMITTER_EMAIL="author@example.com"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null TZ=UTC LC_ALL=C
umask 022

git init -q --template= -b main .
git config commit.gpgsign false
git config core.autocrlf false
git config core.fileMode true

n=0
commit() { # commit MESSAGE: stage everything and commit at a fixed time (one hour per commit)
	n=$((n + 1))
	local when
	when="2024-01-01T$(printf '%02d' "$n"):00:00+00:00"
	git add -A
	GIT_AUTHOR_DATE="$when" GIT_COMMITTER_DATE="$when" git commit -q --no-verify -m "$1"
}

mkdir -p config src scripts deploy keys

# 1
cat > README.md <<'X'
# history-fixture

Orders service used as a secret-scanning history fixture.
X
cat > config/app.yaml <<'X'
server:
  port: 8080
database:
  host: db.internal
  password: ${DB_PASSWORD}
X
commit "initial commit"

# 2
cat > src/db.js <<'X'
const { Pool } = require('pg');

module.exports = new Pool({
  host: 'db.internal',
  user: 'orders',
  password: 'Hist-Db-pass-v1',
  database: 'orders',
});
X
commit "add database pool"

# 3
cat > scripts/release.sh <<'X'
#!/bin/sh
set -eu
export GITHUB_TOKEN=ghp_OccXkR1ViwC7c6qnjYmS4H7HsE4VG2v76A1p
gh release create "$1" --generate-notes
X
chmod 755 scripts/release.sh
commit "add release script"

# 4
cat > .env <<'X'
AWS_REGION=eu-west-1
AWS_ACCESS_KEY_ID=AKIA4KA4QNYFYL6EZUTM
AWS_SECRET_ACCESS_KEY=MWPEA8hiBVP+xP+z2z4rtGGvk3Tk/yBj/t9URpKk
X
commit "add aws credentials for uploads"

# 5
cat > .env.example <<'X'
AWS_REGION=eu-west-1
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=<your-secret-access-key>
DB_PASSWORD=changeme
X
commit "docs: add example env file"

# 6
cat > src/db.js <<'X'
const { Pool } = require('pg');

module.exports = new Pool({
  host: 'db.internal',
  user: 'orders',
  password: process.env.DB_PASSWORD,
  database: 'orders',
});
X
commit "read database password from the environment"

# 7
git rm -q .env
printf '.env\n' > .gitignore
commit "stop tracking .env"

# 8
cat >> config/app.yaml <<'X'
notifications:
  slack_webhook: https://hooks.slack.com/services/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
X
commit "add slack notifications"

# 9
cat > scripts/release.sh <<'X'
#!/bin/sh
set -eu
export GITHUB_TOKEN=ghp_kVSlRGoq3NTgI0z0alzCWnJkhEiiqR3xsfGj
gh release create "$1" --generate-notes
X
commit "rotate release token"

# 10
cat > deploy/secret.yaml <<'X'
apiVersion: v1
kind: Secret
metadata:
  name: orders
type: Opaque
stringData:
  DB_PASSWORD: Hist-K8s-pass-v2
data:
  API_KEY: aGlzdC1hcGkta2V5LTkxMjM0NTY3
X
commit "add kubernetes secret"

# 11
cat > deploy/secret.yaml <<'X'
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: orders
spec:
  secretStoreRef:
    name: aws-secrets-manager
    kind: ClusterSecretStore
  data:
    - secretKey: DB_PASSWORD
      remoteRef:
        key: prod/orders/db
X
commit "use ExternalSecret instead of a plain Secret"

# 12
cat >> config/app.yaml <<'X'
stripe:
  secret_key: sk_live_QEVDoRr3hBIn3EyF7lLqk67fTMSfD4sjyU6N22x633dPx5lYuqoNC3RYoQeYSbNJBAPohKeZgZEceWAv
X
commit "add stripe billing"

# 13
sed -i 's/^  secret_key: .*/  secret_key: ${STRIPE_SECRET_KEY}/' config/app.yaml
commit "read stripe key from the environment"

# 14
cat > keys/signing.pem <<'X'
-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIsaIs2p0wguDnyij7EVJvbXvZFZZxtVTKSzLEM9TkthZXyEubHJe2uDE
yfmb0Uge/s38fvsPmuOFeyNT8rTCq8dzz3mhW181gux2Aq/DJK++fiTlOj0RuNGT
T32OqVDFoZWrgxNGu6Truhq8Tq0zFmGpkQ==
-----END EC PRIVATE KEY-----
X
cat > .npmrc <<'X'
//registry.npmjs.org/:_authToken=npm_9ABdcaaooC1T3e9LH1oqLTfYLTrCZ5mqcJty
X
commit "add package signing key and npm token"

# 15
git rm -q keys/signing.pem
cat > .npmrc <<'X'
//registry.npmjs.org/:_authToken=${NPM_TOKEN}
X
commit "remove signing key; npm token from the environment"

# 16
cat > scripts/release.sh <<'X'
#!/bin/sh
set -eu
GITHUB_TOKEN=$(vault kv get -field=token secret/ci/github)
export GITHUB_TOKEN
gh release create "$1" --generate-notes
X
commit "release token comes from vault"
