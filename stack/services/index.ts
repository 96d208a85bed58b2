import type { StackService } from '../service.js';
import { kafka } from './kafka.js';
import { kafkaSecure } from './kafka-secure.js';
import { pulsar } from './pulsar.js';
import { pulsarSecure } from './pulsar-secure.js';
import { redis } from './redis.js';
import { registry } from './registry.js';

/** Every service of the local stack, in start order (they start side by side; down goes in reverse). */
export const SERVICES: StackService[] = [redis, kafka, pulsar, registry, pulsarSecure, kafkaSecure];
