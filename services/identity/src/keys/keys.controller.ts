import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiOperationDoc } from '@ihf/platform';
import { Public } from '@ihf/auth';
import { KeyRing } from './key-ring.js';
import { JwksResponse } from './jwks.response.js';
import { type PublicJwk } from './signing-key.js';

@ApiTags('keys')
@Controller('.well-known')
export class KeysController {
  constructor(private readonly keyRing: KeyRing) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperationDoc({
    summary: 'Public keys that verify identity access tokens (RFC 7517)',
    description:
      'The JSON Web Key Set of the current signing key and of keys still accepted after a rotation; services fetch it to verify tokens.',
    auth: 'public',
    offline: true,
    response: { status: 200, description: 'The key set', type: JwksResponse },
  })
  jwks(): { keys: PublicJwk[] } {
    return this.keyRing.jwks();
  }
}
