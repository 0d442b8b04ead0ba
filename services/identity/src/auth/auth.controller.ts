import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiOperationDoc } from '@ihf/platform';
import { Public } from '@ihf/auth';
import { AgentsService } from '../agents/agents.service.js';
import { type SessionTokens, AuthService } from './auth.service.js';
import {
  type AccessTokenView,
  ClientCredentialsDto,
  LoginDto,
  RefreshDto,
  type SessionTokensView,
} from './dto/auth.dto.js';
import { AccessTokenResponse, SessionTokensResponse } from './dto/auth.response.js';

const view = (t: SessionTokens): SessionTokensView => ({
  access_token: t.accessToken,
  token_type: 'Bearer',
  expires_in: t.expiresIn,
  refresh_token: t.refreshToken,
  refresh_expires_in: t.refreshExpiresIn,
});

@ApiTags('auth')
@Public()
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly agents: AgentsService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperationDoc({
    summary: 'Sign in with e-mail and password',
    description:
      'Answers an access token and a refresh token. Repeated failures lock the account; a locked or deactivated account gets the same 401 as a wrong password.',
    auth: 'public',
    response: { status: 200, description: 'The session tokens', type: SessionTokensResponse },
    body: true,
    problems: { 401: ['IDENTITY.INVALID_CREDENTIALS'] },
  })
  async login(@Body() body: LoginDto): Promise<SessionTokensView> {
    return view(await this.auth.login(body.email, body.password));
  }

  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperationDoc({
    summary: 'Rotate a refresh token into new tokens',
    description:
      'The refresh token is single use: it answers new tokens once; presenting it again revokes the whole session.',
    auth: 'public',
    response: { status: 200, description: 'The new session tokens', type: SessionTokensResponse },
    body: true,
    problems: { 401: ['IDENTITY.INVALID_REFRESH_TOKEN'] },
  })
  async refresh(@Body() body: RefreshDto): Promise<SessionTokensView> {
    return view(await this.auth.refresh(body.refresh_token));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperationDoc({
    summary: 'Revoke the session of a refresh token',
    description: 'Signs out: the refresh token and its session stop working. Idempotent.',
    auth: 'public',
    response: { status: 204, description: 'Signed out' },
    body: true,
  })
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(body.refresh_token);
  }

  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperationDoc({
    summary: 'Client credentials grant for agent clients',
    description:
      'An agent client exchanges its id and secret for an access token (no refresh token).',
    auth: 'public',
    response: { status: 200, description: 'The access token', type: AccessTokenResponse },
    body: true,
    problems: { 401: ['IDENTITY.INVALID_CLIENT'] },
  })
  async token(@Body() body: ClientCredentialsDto): Promise<AccessTokenView> {
    const issued = await this.agents.authenticate(body.client_id, body.client_secret);
    return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn };
  }
}
