import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'ada@example.org' })
  /** Not validated as an e-mail: a malformed one is simply an unknown account. */
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  email!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  refresh_token!: string;
}

export class ClientCredentialsDto {
  @ApiProperty({ enum: ['client_credentials'] })
  @Equals('client_credentials')
  grant_type!: 'client_credentials';

  @ApiProperty({ format: 'uuid' })
  @IsString()
  @MaxLength(100)
  client_id!: string;

  @ApiProperty({ example: 'ihf_ab12cd34_…' })
  @IsString()
  @MaxLength(200)
  client_secret!: string;
}

/** Answer of sign-in and refresh (OAuth 2 token response members). */
export interface SessionTokensView {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly refresh_expires_in: number;
}

/** Answer of the client credentials grant: no refresh token, agents ask again. */
export interface AccessTokenView {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
}
