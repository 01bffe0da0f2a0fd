import { Matches } from 'class-validator';

/**
 * PostgreSQL text cannot hold NUL: refusing it on the field names the field in the 422.
 * (A NUL that reaches PostgreSQL anyway is a 422 too: error-response.ts, isUnstorableText.)
 */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
export const NoNul = () => Matches(/^[^\u0000]*$/, { message: '$property must not contain NUL characters' });
