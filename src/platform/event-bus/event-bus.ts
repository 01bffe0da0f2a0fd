import { Global, Injectable, Module } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import type { DomainEventName, DomainEvents } from './domain-events';

/**
 * Publishes domain events (the typed map in domain-events.ts). `publish` resolves once
 * every listener has run — so a cache invalidated on `activity.ingested` is invalidated
 * before the response goes out. A failing listener is logged, never fails the publisher.
 */
@Injectable()
export class EventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  async publish<K extends DomainEventName>(name: K, payload: DomainEvents[K]): Promise<void> {
    await this.emitter.emitAsync(name, payload);
  }
}

/** Marks a provider method as a listener of a domain event (payload: `DomainEvents[name]`). */
export const OnDomainEvent = (name: DomainEventName) => OnEvent(name, { suppressErrors: true });

/** The in-process event bus (@nestjs/event-emitter) for both processes. */
@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false })],
  providers: [EventBus],
  exports: [EventBus],
})
export class EventBusModule {}
