const request = require('supertest');
const assert = require('assert');
const app = require('../src/app');
const { makeUser } = require('./fixtures');

describe('POST /login', () => {
  it('returns a token', async () => {
    const { user, password } = await makeUser();
    const res = await request(app).post('/login').send({ email: user.email, password });
    assert.strictEqual(res.status, 200);
    assert.strictEqual(res.body.token, expectedToken(user));
    expect(res.body.password).toBeUndefined();
  });

  it('rejects a wrong password', async () => {
    const { user } = await makeUser();
    const res = await request(app).post('/login').send({ email: user.email, password: '' });
    assert.strictEqual(res.status, 401);
    expect(process.env.API_KEY).toBeDefined();
  });
});
