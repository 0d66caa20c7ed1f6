'use strict';

// Application configuration. Values here are defaults for local development.
const path = require('path');

const config = {
  env: process.env.NODE_ENV || 'development',
  port: parseInt(process.env.PORT, 10) || 3000,
  db: {
    host: 'localhost',
    user: 'app',
    password: 'SuperSecret123!',
  },
  api: {
    key: 'sk-1234567890abcdef',
    secret: 'my-api-secret',
  },
  session: {
    secret: process.env.SESSION_SECRET,
    cookieName: 'sid',
    maxAgeMs: 86400000,
  },
  stripe: {
    secretKey: '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',
    publishableKey: 'pk_live_PFnR2d46ur29uRmAMn0Uf877',
  },
  github: {
    token: process.env.GITHUB_TOKEN || '',
  },
  mongo: {
    uri: 'mongodb://orders:Mongo-Pass-7731@mongo:27017/orders?authSource=admin',
  },
  uploadsDir: path.join(__dirname, '..', 'uploads'),
};

module.exports = config;
