import { type OpenApiOptions } from '@ihf/platform';

/** Identity's default HTTP port (ARCHITECTURE.md). */
export const DEFAULT_PORT = 3000;

/** Identity's OpenAPI document: title, description and the tags its operations use. */
export const IDENTITY_OPENAPI: OpenApiOptions = {
  title: 'IHF identity',
  description:
    'Users, agent clients, sign-in and tokens, and the public keys that verify them. Errors are `application/problem+json` with a stable `code`.',
  serverUrl: `http://127.0.0.1:${DEFAULT_PORT}`,
  tags: [
    {
      name: 'auth',
      description: 'Sign-in, token refresh, sign-out and the client credentials grant',
    },
    {
      name: 'users',
      description: 'People who sign in: roles, hub memberships, passwords, lockout',
    },
    {
      name: 'agents',
      description: 'Machine clients that get tokens with the client credentials grant',
    },
    { name: 'keys', description: 'The public keys that verify access tokens' },
  ],
};
