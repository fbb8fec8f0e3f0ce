/**
 * Synthetic AsyncAPI 3.0 documents for the benchmark: `channels` parameterised
 * channels, as many messages with ten properties each, and two operations per
 * channel (a send and a receive). Deterministic for a given size.
 */
export function syntheticDocument(channels: number): string {
  const lines: string[] = ['asyncapi: 3.0.0', 'info:', `  title: Synthetic ${channels}`, '  version: 1.0.0', 'servers:', '  broker:', '    host: localhost:4222', '    protocol: nats', 'channels:'];
  for (let index = 0; index < channels; index += 1) {
    lines.push(
      `  channel${index}:`,
      `    address: 'domain${index % 10}/entity${index}/{entityId}/event'`,
      '    parameters:',
      '      entityId:',
      `        description: Identifier of entity ${index}.`,
      '    messages:',
      `      event${index}:`,
      `        $ref: '#/components/messages/Event${index}'`,
    );
  }
  lines.push('operations:');
  for (let index = 0; index < channels; index += 1) {
    for (const action of ['send', 'receive']) {
      lines.push(`  ${action}Event${index}:`, `    action: ${action}`, '    channel:', `      $ref: '#/channels/channel${index}'`);
    }
  }
  lines.push('components:', '  messages:');
  for (let index = 0; index < channels; index += 1) {
    lines.push(`    Event${index}:`, `      name: event${index}`, '      contentType: application/json', '      payload:', `        $ref: '#/components/schemas/Payload${index}'`);
  }
  lines.push('  schemas:');
  for (let index = 0; index < channels; index += 1) {
    lines.push(
      `    Payload${index}:`,
      '      type: object',
      '      required: [id, createdAt, amount]',
      '      properties:',
      '        id: { type: string, format: uuid }',
      '        createdAt: { type: string, format: date-time }',
      '        amount: { type: number, minimum: 0 }',
      '        count: { type: integer, maximum: 1000 }',
      '        label: { type: string, maxLength: 64 }',
      '        active: { type: boolean }',
      "        kind: { type: string, enum: [small, medium, large] }",
      '        tags: { type: array, items: { type: string } }',
      '        note: { type: string }',
      '        ratio: { type: number }',
    );
  }
  return `${lines.join('\n')}\n`;
}
