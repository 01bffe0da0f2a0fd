import { applyDecorators } from '@nestjs/common';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

/** A human-facing name: a non-blank string of at most `max` characters (trimmed when stored). */
export const DisplayName = (max = 255) =>
  applyDecorators(IsString(), IsNotEmpty(), Matches(/\S/, { message: '$property must not be blank' }), MaxLength(max));
