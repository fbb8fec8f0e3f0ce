/**
 * Round trips through the code generated from fixtures/v2/shop (AsyncAPI 2.6):
 * `publish` operations are received by the App, `subscribe` operations are
 * sent by it; an operation without operationId gets a derived name.
 */
import assert from 'node:assert/strict';
import {
  createApp,
  createClient,
  OperationError,
  ValidationError,
  type OrderPlacedEvent,
  type SendShopOrdersOrderIdShippedEvent,
} from './index.js';
import { createMemoryTransport } from './transports/memory.js';

export async function runScenario(): Promise<void> {
  const transport = createMemoryTransport();
  const errors: OperationError[] = [];
  const shop = createApp({ transport, onError: (error) => errors.push(error) });
  const customer = createClient({ transport, onError: (error) => errors.push(error) });

  // v2 publish: the shop receives orders; the integer parameter is parsed back as a number.
  const orders: OrderPlacedEvent[] = [];
  await shop.orderPlaced((event) => {
    orders.push(event);
  });
  await customer.orderPlaced({
    params: { orderId: 42 },
    headers: { traceId: 't-1' },
    payload: {
      id: 42,
      customer: { name: 'Ada', email: 'ada@example.org', referredBy: { name: 'Grace' } },
      lines: [{ sku: 'lamp', quantity: 2, price: null }],
    },
  });
  await transport.whenIdle();
  assert.equal(orders.length, 1);
  assert.equal(orders[0]?.params.orderId, 42);
  assert.equal(typeof orders[0]?.params.orderId, 'number');
  assert.equal(orders[0]?.raw.address, 'shop.orders.42.placed');
  assert.equal(orders[0]?.payload.customer?.referredBy?.name, 'Grace');

  // A parameter that does not match its schema (minimum 1) is reported, not delivered.
  await transport.publish({
    address: 'shop.orders.0.placed',
    payload: new TextEncoder().encode(JSON.stringify({ id: 0, lines: [{ sku: 'x', quantity: 1 }] })),
    headers: {},
  });
  await transport.whenIdle();
  assert.equal(orders.length, 1);
  assert.deepEqual(errors.map((error) => error.kind), ['address']);
  errors.length = 0;

  // v2 subscribe: the shop sends; message oneOf gives a discriminated event.
  const shipments: SendShopOrdersOrderIdShippedEvent[] = [];
  await customer.sendShopOrdersOrderIdShipped((event) => {
    shipments.push(event);
  }, { params: { orderId: 7 } });
  await shop.sendShopOrdersOrderIdShipped({ params: { orderId: 7 }, payload: { status: 'shipped', carrier: 'DHL' } });
  await shop.sendShopOrdersOrderIdShipped({ params: { orderId: 8 }, payload: { status: 'shipped', carrier: 'UPS' } });
  await shop.sendShopOrdersOrderIdShipped({ params: { orderId: 7 }, payload: { status: 'delayed', days: 3 } });
  await transport.whenIdle();
  assert.deepEqual(shipments.map((event) => event.message), ['OrderShipped', 'OrderDelayed']);
  const delayed = shipments[1];
  assert.ok(delayed?.message === 'OrderDelayed' && delayed.payload.days === 3);

  // Neither message of the oneOf matches: the send is refused with the reasons of each.
  await assert.rejects(
    shop.sendShopOrdersOrderIdShipped({
      params: { orderId: 7 },
      // @ts-expect-error not one of the two messages
      payload: { status: 'lost' },
    }),
    (error: unknown) => error instanceof ValidationError && error.issues.length >= 2,
  );

  // With validation off on send, the receiver still refuses an invalid message.
  const lenientShop = createApp({ transport, validate: 'receive' });
  await lenientShop.stockChanged({ payload: { sku: 'lamp', count: 3 } });
  const stock: number[] = [];
  await customer.stockChanged((event) => {
    stock.push(event.payload.count ?? -1);
  });
  await lenientShop.stockChanged({ payload: { sku: 'lamp', count: 5 } });
  // @ts-expect-error count must be an integer
  await lenientShop.stockChanged({ payload: { sku: 'lamp', count: 'many' } });
  await transport.whenIdle();
  assert.deepEqual(stock, [5]);
  assert.deepEqual(errors.map((error) => error.kind), ['validation']);
  await transport.close();
}
