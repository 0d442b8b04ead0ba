import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@ihf/auth';
import { KeyRing } from './key-ring.js';
import { type PublicJwk } from './signing-key.js';

@ApiTags('keys')
@Controller('.well-known')
export class KeysController {
  constructor(private readonly keyRing: KeyRing) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({ summary: 'Public keys that verify identity access tokens (RFC 7517)' })
  jwks(): { keys: PublicJwk[] } {
    return this.keyRing.jwks();
  }
}
