import { ApiProperty } from '@nestjs/swagger';
import { type AccessTokenView, type SessionTokensView } from './auth.dto.js';

export class AccessTokenResponse implements AccessTokenView {
  @ApiProperty({ description: 'A JWT to send as `Authorization: Bearer <token>`' })
  access_token!: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type!: 'Bearer';

  @ApiProperty({ type: 'integer', description: 'Seconds until the access token expires' })
  expires_in!: number;
}

export class SessionTokensResponse extends AccessTokenResponse implements SessionTokensView {
  @ApiProperty({ description: 'Single use: `POST /api/v1/auth/refresh` rotates it' })
  refresh_token!: string;

  @ApiProperty({ type: 'integer', description: 'Seconds until the refresh token expires' })
  refresh_expires_in!: number;
}
