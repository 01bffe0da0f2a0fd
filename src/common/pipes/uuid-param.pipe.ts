import { ParseUUIDPipe } from '@nestjs/common';
import { validationFailed } from './validation.pipe';

/** A path id that must be a UUID: anything else is the legacy 422, never a 500. */
export const uuidParam = (name = 'id') =>
  new ParseUUIDPipe({
    exceptionFactory: () => validationFailed([{ loc: ['path', name], msg: 'Input should be a valid UUID', type: 'uuid_parsing' }]),
  });
