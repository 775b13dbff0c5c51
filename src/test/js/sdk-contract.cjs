// Runs the official @emitkit/js SDK against this service; SdkContractTest starts the service and reads
// the JSON this prints. Any failed expectation exits non-zero with the reason.
const assert = require('node:assert/strict');
const { EmitKit, ValidationError, RateLimitError } = require(process.env.SDK_DIR + '/node_modules/@emitkit/js');

async function main() {
  const client = new EmitKit(process.env.API_KEY, { baseUrl: process.env.BASE_URL });
  const out = {};

  const identified = await client.identify({
    user_id: 'user_sdk', properties: { email: 'sdk@example.com', plan: 'pro' }, aliases: ['sdk@example.com', 'sdk-user'],
  });
  assert.equal(identified.data.userId, 'user_sdk');
  assert.deepEqual(identified.data.aliases.created, ['sdk@example.com', 'sdk-user']);
  assert.deepEqual(identified.data.aliases.failed, []);

  const created = await client.events.create({
    channelName: 'payments', title: 'Payment received', description: 'Order #42', icon: '💸',
    tags: ['vip', 'eu'], metadata: { amount: 99.99, currency: 'EUR' }, userId: 'sdk@example.com',
    notify: true, displayAs: 'notification', source: 'sdk-test',
  });
  assert.match(created.data.id, /^evt_/);
  assert.notEqual(created.requestId, 'unknown');
  assert.ok(created.rateLimit, 'rate-limit headers are read by the SDK');
  assert.ok(created.rateLimit.limit > 0 && created.rateLimit.remaining < created.rateLimit.limit);
  assert.equal(created.wasReplayed, false);
  out.createdId = created.data.id;

  try {
    await client.events.create({ title: 'no channel', tags: 'not-an-array' });
    assert.fail('a ValidationError was expected');
  } catch (e) {
    assert.ok(e instanceof ValidationError, 'got ' + e.name + ': ' + e.message);
    assert.equal(e.statusCode, 400);
    assert.deepEqual(e.validationErrors.map((v) => v.path), [['channelName'], ['tags']]);
  }

  const first = await client.events.create({ channelName: 'orders', title: 'Once' }, { idempotencyKey: 'order-42' });
  const again = await client.events.create({ channelName: 'orders', title: 'Once' }, { idempotencyKey: 'order-42' });
  assert.equal(again.wasReplayed, true);
  assert.equal(again.data.id, first.data.id);
  out.idempotentId = first.data.id;

  const limited = new EmitKit(process.env.LIMITED_API_KEY, { baseUrl: process.env.BASE_URL });
  let rateLimited = null;
  for (let i = 0; i < 50 && !rateLimited; i++) {
    try {
      await limited.events.create({ channelName: 'flood', title: 'Event ' + i });
    } catch (e) {
      rateLimited = e;
    }
  }
  assert.ok(rateLimited instanceof RateLimitError, 'a RateLimitError was expected, got ' + rateLimited);
  assert.equal(rateLimited.rateLimit.remaining, 0);
  assert.ok(rateLimited.rateLimit.resetIn > 0);
  out.limit = rateLimited.rateLimit.limit;

  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
