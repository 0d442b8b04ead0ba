import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser } from '@ihf/auth';
import { ApiOperationDoc, type Page } from '@ihf/platform';
import { InboxItemView, InboxQueryDto, MarkedView, UnreadCountView } from './dto/inbox.dto.js';
import { InboxService } from './inbox.service.js';

@ApiTags('inbox')
@Controller('api/v1/inbox')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get()
  @ApiOperationDoc({
    summary: 'List my notifications',
    description:
      "The signed-in user's notifications, newest first; `unread=true` lists only the unread ones.",
    response: {
      status: 200,
      description: 'A page of notifications',
      type: InboxItemView,
      page: true,
    },
    problems: { 400: ['REQUEST.INVALID_CURSOR'] },
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() q: InboxQueryDto,
  ): Promise<Page<InboxItemView>> {
    return this.inbox.list(user.id, q);
  }

  @Get('unread-count')
  @ApiOperationDoc({
    summary: 'Count my unread notifications',
    description: 'How many notifications the signed-in user has not read.',
    response: { status: 200, description: 'The count', type: UnreadCountView },
  })
  async unreadCount(@CurrentUser() user: AuthenticatedUser): Promise<UnreadCountView> {
    return { unread: await this.inbox.unreadCount(user.id) };
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperationDoc({
    summary: 'Mark all my notifications read',
    description: 'Marks every unread notification of the signed-in user read.',
    response: { status: 200, description: 'How many were marked', type: MarkedView },
  })
  async markAllRead(@CurrentUser() user: AuthenticatedUser): Promise<MarkedView> {
    return { marked: await this.inbox.markAllRead(user.id) };
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperationDoc({
    summary: 'Mark a notification read',
    description: 'Marks one of the signed-in user’s notifications read (again: no change).',
    response: { status: 204, description: 'Marked read' },
    problems: { 400: [], 404: ['NOTIFICATIONS.INBOX_ITEM_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  async markRead(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    await this.inbox.markRead(user.id, id);
  }
}
