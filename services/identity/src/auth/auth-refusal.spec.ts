import { NotFoundException } from '@nestjs/common';
import { AuthUnauthorizedException, RoleRequiredException } from '@ihf/auth';
import { AuthRefusedError } from './auth.errors.js';
import { preserveAuthCode } from './auth-refusal.js';

describe('preserveAuthCode', () => {
  it('turns @ihf/auth exceptions into domain errors with their code', () => {
    expect(preserveAuthCode(new AuthUnauthorizedException())).toMatchObject({
      status: 401,
      code: 'AUTH.UNAUTHENTICATED',
    });
    const forbidden = preserveAuthCode(new RoleRequiredException());
    expect(forbidden).toBeInstanceOf(AuthRefusedError);
    expect(forbidden).toMatchObject({ status: 403, code: 'AUTH.ROLE_REQUIRED' });
  });

  it('leaves other errors alone', () => {
    const other = new NotFoundException();
    expect(preserveAuthCode(other)).toBe(other);
    const plain = new Error('x');
    expect(preserveAuthCode(plain)).toBe(plain);
  });
});
