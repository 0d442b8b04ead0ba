import { Matches } from 'class-validator';

/**
 * Postgres text cannot hold U+0000: a string with one is refused here (400) rather than by the
 * database (which the error mapping would answer as a server-side failure).
 */
export const NoNulCharacters = (): PropertyDecorator =>
  // eslint-disable-next-line no-control-regex
  Matches(/^[^\u0000]*$/, { message: '$property must not contain NUL characters' });
