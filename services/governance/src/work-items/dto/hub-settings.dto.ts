import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUrl, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { NoNulCharacters } from '../../common/text.js';

const HTTPS: Parameters<typeof IsUrl>[0] = {
  protocols: ['https'],
  require_protocol: true,
  require_tld: false,
};

/** Base URLs of the hub's trackers; `null` clears one, an absent field keeps it. */
export class TrackerSettingsDto {
  @ApiPropertyOptional({ nullable: true, type: String, example: 'https://acme.atlassian.net' })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsUrl(HTTPS)
  @MaxLength(500)
  jira_base_url?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Default https://gitlab.com' })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsUrl(HTTPS)
  @MaxLength(500)
  gitlab_base_url?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'https://linear.app/acme' })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsUrl(HTTPS)
  @MaxLength(500)
  linear_base_url?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'https://dev.azure.com/acme/shop' })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsUrl(HTTPS)
  @MaxLength(500)
  azure_boards_base_url?: string | null;
}

/** The secret GitHub signs the hub's webhook deliveries with. Never returned. */
export class WebhookSecretDto {
  @ApiProperty({ minLength: 16, maxLength: 256, writeOnly: true })
  @IsString()
  @NoNulCharacters()
  @MinLength(16)
  @MaxLength(256)
  secret!: string;
}

export class HubSettingsView {
  @ApiProperty({ format: 'uuid' }) hub_id!: string;
  @ApiProperty({ nullable: true, type: String }) jira_base_url!: string | null;
  @ApiProperty({ nullable: true, type: String }) gitlab_base_url!: string | null;
  @ApiProperty({ nullable: true, type: String }) linear_base_url!: string | null;
  @ApiProperty({ nullable: true, type: String }) azure_boards_base_url!: string | null;
  @ApiProperty({ description: 'Whether a GitHub webhook secret is set (it is never returned)' })
  github_webhook_secret_set!: boolean;
  @ApiProperty({ description: 'Where GitHub should deliver issues and pull_request events' })
  github_webhook_path!: string;
}

export class WebhookAnswerView {
  @ApiProperty({ enum: ['processed', 'duplicate', 'ignored'] }) result!: string;
  @ApiProperty({ description: 'Linked work items whose state changed' }) items_changed!: number;
}
