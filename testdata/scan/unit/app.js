// Positives and negatives for JavaScript/TypeScript objects and assignments.
const config = {
  db: {
    password: 'Unit-Js-Pass-41x!',
    passwordLabel: 'Enter your password',
    placeholder: 'Enter your password',
  },
  api: { key: 'sk-unit9a8b7c6d5e4f', secret: 'unit-api-secret' },
  i18n: { key: 'greeting', label: 'Hello' },
  primary_key: 'id',
  token: process.env.API_TOKEN,
  secret: process.env.SECRET || '',
  apiKey: '<your-api-key>',
  clientSecret: 'changeme',
  authToken: 'xxxxxxxxxxxxxxxx',
  sessionSecret: 'REPLACE_ME',
};
let dbPassword: string;
const adminPassword = "Unit-Ts-Adm1n-pw";
const requestId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
