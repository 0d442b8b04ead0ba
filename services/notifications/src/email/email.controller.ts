import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Public } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import {
  EmailPreferenceDto,
  EmailPreferenceView,
  UnsubscribedView,
  UnsubscribeQueryDto,
} from './dto/email.dto.js';
import { EmailPreferencesService } from './email-preferences.service.js';

@ApiTags('email')
@Controller('api/v1/email')
export class EmailController {
  constructor(private readonly preferences: EmailPreferencesService) {}

  @Get('preferences')
  @ApiOperationDoc({
    summary: 'Get my e-mail preference',
    description:
      'How the signed-in user gets e-mail: `immediate` (the default), `daily_digest` or `off`.',
    response: { status: 200, description: 'The preference', type: EmailPreferenceView },
  })
  async get(@CurrentUser() user: AuthenticatedUser): Promise<EmailPreferenceView> {
    return { mode: await this.preferences.get(user.id) };
  }

  @Put('preferences')
  @ApiOperationDoc({
    summary: 'Set my e-mail preference',
    description:
      'Sets how the signed-in user gets e-mail. Mails not sent yet follow the new preference.',
    response: { status: 200, description: 'The preference', type: EmailPreferenceView },
    body: true,
  })
  async set(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: EmailPreferenceDto,
  ): Promise<EmailPreferenceView> {
    return { mode: await this.preferences.set(user.id, body.mode) };
  }

  /**
   * The one-click unsubscribe of RFC 8058: mail clients POST `List-Unsubscribe=One-Click`
   * (form-encoded) to the link of the `List-Unsubscribe` header; the signed token says who.
   */
  @Post('unsubscribe')
  @Public()
  @HttpCode(200)
  @ApiOperationDoc({
    summary: 'Unsubscribe from e-mail (one click)',
    description:
      "The `List-Unsubscribe` link of every mail (RFC 8058): a POST with the link's signed `token` turns the user's e-mail off. The body (`List-Unsubscribe=One-Click`, form-encoded) is not needed.",
    auth: 'public',
    response: { status: 200, description: 'E-mail is off', type: UnsubscribedView },
    problems: { 400: ['NOTIFICATIONS.UNSUBSCRIBE_TOKEN_INVALID'] },
  })
  async unsubscribe(@Query() q: UnsubscribeQueryDto): Promise<UnsubscribedView> {
    return { mode: await this.preferences.unsubscribe(q.token) };
  }
}
