// An application that loads its configuration from AWS Secrets Manager at
// startup, as applications do in production: the database credentials
// (JSON) and an API key, read with GetSecretValueCommand. Pointed at
// `secretctl serve` by AWS_ENDPOINT_URL_SECRETS_MANAGER, it runs unchanged.
//
// It prints the configuration it built as one JSON line. Secret values are
// printed only as their length and SHA-256, so the output proves what was
// read without showing it.
"use strict";

const crypto = require("node:crypto");
const {
  SecretsManagerClient,
  GetSecretValueCommand,
} = require("@aws-sdk/client-secrets-manager");

const fingerprint = (s) => ({
  length: s.length,
  sha256: crypto.createHash("sha256").update(s, "utf8").digest("hex"),
});

async function loadConfig(client) {
  const db = await client.send(
    new GetSecretValueCommand({ SecretId: "prod/database/credentials" }),
  );
  const creds = JSON.parse(db.SecretString);
  const api = await client.send(
    new GetSecretValueCommand({ SecretId: "prod/api/key" }),
  );
  return {
    database: {
      username: creds.username,
      password: fingerprint(creds.password),
      host: creds.host,
      port: creds.port,
      dbname: creds.dbname,
      versionId: db.VersionId,
    },
    apiKey: fingerprint(api.SecretString),
  };
}

async function main() {
  const client = new SecretsManagerClient({});
  try {
    const config = await loadConfig(client);
    process.stdout.write(JSON.stringify(config) + "\n");
  } catch (err) {
    // The error's name is the service's code (ResourceNotFoundException, ...).
    process.stderr.write(`app: cannot load secrets: ${err.name}: ${err.message}\n`);
    process.exitCode = 1;
  }
}

main();
