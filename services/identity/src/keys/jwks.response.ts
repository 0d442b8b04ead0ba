import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A public key of the key set (RFC 7517): RSA (`n`, `e`) or EC P-256 (`crv`, `x`, `y`). */
export class PublicJwkResponse {
  @ApiProperty({ description: 'RFC 7638 thumbprint of the key' })
  kid!: string;

  @ApiProperty({ enum: ['RSA', 'EC'] })
  kty!: 'RSA' | 'EC';

  @ApiProperty({ enum: ['sig'] })
  use!: 'sig';

  @ApiProperty({ enum: ['RS256', 'ES256'] })
  alg!: 'RS256' | 'ES256';

  @ApiPropertyOptional({ description: 'RSA modulus (base64url)' })
  n?: string;

  @ApiPropertyOptional({ description: 'RSA exponent (base64url)' })
  e?: string;

  @ApiPropertyOptional({ enum: ['P-256'] })
  crv?: string;

  @ApiPropertyOptional({ description: 'EC x coordinate (base64url)' })
  x?: string;

  @ApiPropertyOptional({ description: 'EC y coordinate (base64url)' })
  y?: string;
}

export class JwksResponse {
  @ApiProperty({ type: [PublicJwkResponse] })
  keys!: PublicJwkResponse[];
}
