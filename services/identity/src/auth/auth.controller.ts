import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({ summary: 'Sign in with e-mail and password' })
  async login(@Body() body: LoginDto): Promise<SessionTokensView> {
    return view(await this.auth.login(body.email, body.password));
  }

  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Rotate a refresh token into new tokens' })
  async refresh(@Body() body: RefreshDto): Promise<SessionTokensView> {
    return view(await this.auth.refresh(body.refresh_token));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke the session of a refresh token' })
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(body.refresh_token);
  }

  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Client credentials grant for agent clients' })
  async token(@Body() body: ClientCredentialsDto): Promise<AccessTokenView> {
    const issued = await this.agents.authenticate(body.client_id, body.client_secret);
    return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn };
  }
}
