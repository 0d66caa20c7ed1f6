'use strict';

// Configuration of the sample app.
const config = {
  database: {
    host: 'db.example.com',
    username: 'admin',
    password: 'SuperSecret123!',
  },
  api: {
    key: 'sk-1234567890abcdef',
    secret: 'my-api-secret',
  },
};

module.exports = config;
