import {
  type ArgumentMetadata,
  Injectable,
  type PipeTransform,
  UnprocessableEntityException,
} from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

/** Raises the legacy 422: `{detail: [{loc, msg, type}]}`. */
export function validationFailed(issues: ValidationIssue[]): UnprocessableEntityException {
  return new UnprocessableEntityException({ detail: issues });
}

/**
 * Global validation: transforms to the DTO class, strips nothing silently (unknown
 * properties are errors), and reports every problem with its location.
 */
@Injectable()
export class AppValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype, type } = metadata;
    if (!metatype || PRIMITIVES.has(metatype)) return value;
    const source = type === 'custom' ? 'body' : type === 'param' ? 'path' : type;
    if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw validationFailed([{ loc: [source], msg: 'Input should be an object', type: 'model_type' }]);
    }
    const instance = plainToInstance(metatype as new () => object, value, { enableImplicitConversion: false });
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
    });
    if (errors.length) throw validationFailed(flatten(errors, [source]));
    return instance;
  }
}

export function flatten(errors: ValidationError[], prefix: (string | number)[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const e of errors) {
    const loc = [...prefix, /^\d+$/.test(e.property) ? Number(e.property) : e.property];
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
      if (constraint === 'whitelistValidation') {
        out.push({ loc, msg: 'Extra inputs are not permitted', type: 'extra_forbidden' });
      } else {
        out.push({ loc, msg: message, type: constraint });
      }
    }
    if (e.children?.length) out.push(...flatten(e.children, loc));
  }
  return out;
}
