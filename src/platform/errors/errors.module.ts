import { Global, Module } from '@nestjs/common';
import { ErrorReporter } from './error-reporter';

/** Error reporting (Sentry when configured) for both processes. */
@Global()
@Module({ providers: [ErrorReporter], exports: [ErrorReporter] })
export class ErrorsModule {}
