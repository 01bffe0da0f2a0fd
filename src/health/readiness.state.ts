import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/** Flips readiness to 503 the moment shutdown starts, so load balancers stop routing. */
@Injectable()
export class ReadinessState implements BeforeApplicationShutdown {
  shuttingDown = false;

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
