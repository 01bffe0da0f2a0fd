import { Transform } from 'class-transformer';

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Query strings carry text: these turn the legacy spellings into booleans / numbers and
 * leave anything else as it is, so the validators that follow reject it with a 422.
 * JSON body values (for `*q*` parameters) pass through untouched.
 */
export const QueryBoolean = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    return value;
  });

export const QueryNumber = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : value));
