import { describe, expect, it } from 'vitest';
import { compile, loadValidators } from './helpers.js';

describe('a typical nested payload (its speed is measured by npm run bench:throughput, not here)', () => {
  it('is accepted when valid and refused, with every issue, when not', async () => {
    const address = {
      type: 'object',
      required: ['street'],
      properties: { street: { type: 'string', minLength: 1 }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
      additionalProperties: false,
    };
    const order = {
      type: 'object',
      required: ['id', 'status', 'items'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        status: { enum: ['new', 'paid', 'shipped'] },
        customer: { type: 'object', properties: { name: { type: 'string' }, address } },
        items: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', required: ['sku', 'quantity'], properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } } },
        },
        total: { type: 'number', minimum: 0 },
        note: { type: ['string', 'null'] },
      },
    };
    const validators = await loadValidators(compile([{ schema: order, name: 'Order' }], { Address: address }));
    const validate = validators['validateOrder'] as (value: unknown) => unknown[];
    const payload = {
      id: '7d9f4f4e-8a3b-4c47-9d2a-2f0f5d7f0a11',
      status: 'paid',
      customer: { name: 'Ada', address: { street: 'Main St', zip: '12345' } },
      items: [{ sku: 'a', quantity: 1 }, { sku: 'b', quantity: 2 }],
      total: 12.5,
      note: null,
    };
    expect(validate(payload)).toEqual([]);
    expect(validate({ ...payload, id: 'not-a-uuid', items: [] }).length).toBe(2);
  });
});
