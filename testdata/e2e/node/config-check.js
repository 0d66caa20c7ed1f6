// A 12-factor app's configuration check: every setting comes from the
// environment, and a missing one stops the app before it does anything.
// Run it under secretctl:
//
//   secretctl exec --secret prod/database/credentials --secret prod/api/key -- node config-check.js
//
// It uses no npm packages.
'use strict';

const required = ['DB_HOST', 'DB_USERNAME', 'DB_PASSWORD', 'API_KEY', 'API_SECRET'];

const config = {};
for (const name of required) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`missing required environment variable ${name}`);
  }
  config[name] = value;
}

// Print the configuration so the caller can check it; a real app would
// connect to its database instead.
process.stdout.write(JSON.stringify(config) + '\n');
