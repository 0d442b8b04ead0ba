import { Body, Controller, Get, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Public } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { ApiSuccessContent } from '../common/openapi.js';
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
   * The link of the mail's text, opened in a browser: a page with one button that POSTs the
   * one-click unsubscribe. A GET changes nothing (RFC 8058: link scanners prefetch links).
   */
  @Get('unsubscribe')
  @Public()
  @ApiSuccessContent(200, { 'text/html': {} })
  @ApiOperationDoc({
    summary: 'The unsubscribe page',
    description:
      'For a person who opens the link of a mail: a page whose button POSTs the one-click unsubscribe. Changes nothing by itself.',
    auth: 'public',
    response: { status: 200, description: 'An HTML page with the unsubscribe button' },
    problems: { 400: ['NOTIFICATIONS.UNSUBSCRIBE_TOKEN_INVALID'] },
  })
  page(@Query() q: UnsubscribeQueryDto, @Res({ passthrough: true }) reply: FastifyReply): string {
    // Only a token we signed gets a page (so nothing foreign is echoed into it).
    const token = this.preferences.checkedToken(q.token);
    void reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title></head><body><main><h1>Stop e-mail from IHF?</h1><p>Notifications stay in your inbox; you can turn e-mail on again in your preferences.</p><form method="post" action="?token=${token}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form></main></body></html>`;
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
