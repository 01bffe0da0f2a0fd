import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Readiness turns 503 the moment shutdown starts — on SIGTERM, before the drain delay —
 * so load balancers stop routing while in-flight and late requests are still served.
 */
@Injectable()
export class ReadinessState implements BeforeApplicationShutdown {
  shuttingDown = false;

  beginShutdown(): void {
    this.shuttingDown = true;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
