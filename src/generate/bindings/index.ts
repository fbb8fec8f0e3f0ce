/**
 * Generation-time checks of protocol bindings: every binding field a chosen
 * transport cannot honour is reported as a warning, never silently dropped.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { ApiModel } from '../../model/ir.js';
import { checkAmqpBindings } from './amqp.js';
import { checkKafkaBindings } from './kafka.js';
import { checkMqttBindings } from './mqtt.js';
import { checkNatsBindings } from './nats.js';
import { checkRedisBindings } from './redis.js';
import { checkWsBindings } from './ws.js';

const CHECKS: Readonly<Record<string, (model: ApiModel) => Diagnostic[]>> = {
  amqp: checkAmqpBindings,
  kafka: checkKafkaBindings,
  mqtt: checkMqttBindings,
  nats: checkNatsBindings,
  redis: checkRedisBindings,
  ws: checkWsBindings,
};

export function checkBindings(model: ApiModel, transports: ReadonlyArray<string>): Diagnostic[] {
  return transports.flatMap((transport) => CHECKS[transport]?.(model) ?? []);
}
