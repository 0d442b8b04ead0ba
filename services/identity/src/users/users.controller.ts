import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiOperationDoc } from '@ihf/platform';
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import {
  ChangeOwnPasswordDto,
  CreateUserDto,
  ListUsersQuery,
  SetHubsDto,
  SetPasswordDto,
  toUserView,
  UpdateUserDto,
  type UserView,
} from './dto/user.dto.js';
import { UserResponse } from './dto/user.response.js';
import { UsersService } from './users.service.js';

const DEFAULT_PAGE_SIZE = 50;

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Roles(Role.Admin)
  @ApiOperationDoc({
    summary: 'Create a user',
    description:
      'A person who signs in with e-mail and password, with roles and hub memberships (default role: viewer). Admins only.',
    response: { status: 201, description: 'The new user', type: UserResponse },
    body: true,
    problems: { 403: [], 409: ['IDENTITY.EMAIL_TAKEN'], 422: ['IDENTITY.WEAK_PASSWORD'] },
  })
  async create(@Body() body: CreateUserDto): Promise<UserView> {
    const user = await this.users.create({
      email: body.email,
      name: body.name,
      password: body.password,
      roles: body.roles ?? ['viewer'],
      hubIds: body.hub_ids,
    });
    return toUserView(user);
  }

  @Get()
  @Roles(Role.Admin)
  @ApiOperationDoc({
    summary: 'List users',
    description: 'Every user, keyset-paginated. Admins only.',
    response: { status: 200, description: 'A page of users', type: UserResponse, page: true },
    problems: { 400: [], 403: [] },
  })
  async list(
    @Query() query: ListUsersQuery,
  ): Promise<{ items: UserView[]; next_cursor: string | null }> {
    const page = await this.users.list(query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { items: page.items.map(toUserView), next_cursor: page.nextCursor };
  }

  /** The signed-in user's own record. */
  @Get('me')
  @ApiOperationDoc({
    summary: 'Get the signed-in user',
    description: "The caller's own record (any role).",
    response: { status: 200, description: 'The user', type: UserResponse },
    problems: { 404: ['IDENTITY.USER_NOT_FOUND'] },
  })
  async me(@CurrentUser() principal: AuthenticatedUser): Promise<UserView> {
    return toUserView(await this.users.get(principal.id));
  }

  /** Changes the signed-in user's password; every session of theirs is revoked. */
  @Put('me/password')
  @HttpCode(204)
  @ApiOperationDoc({
    summary: 'Change my password',
    description:
      'Needs the current password; the new one must pass the password policy. Every session of the user is revoked.',
    response: { status: 204, description: 'Changed' },
    body: true,
    problems: {
      403: ['IDENTITY.CURRENT_PASSWORD_INCORRECT'],
      404: ['IDENTITY.USER_NOT_FOUND'],
      409: ['IDENTITY.USER_DEACTIVATED'],
      422: ['IDENTITY.WEAK_PASSWORD'],
    },
  })
  async changeOwnPassword(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() body: ChangeOwnPasswordDto,
  ): Promise<void> {
    await this.users.changeOwnPassword(principal.id, body.current_password, body.new_password);
  }

  /** Signs the user out everywhere: every refresh token of theirs stops working. */
  @Delete('me/sessions')
  @HttpCode(204)
  @ApiOperationDoc({
    summary: 'Sign out everywhere',
    description:
      'Ends every session of the signed-in user: each refresh token issued until now stops working (access tokens run out within their short lifetime).',
    response: { status: 204, description: 'Every session ended' },
    problems: { 404: ['IDENTITY.USER_NOT_FOUND'] },
  })
  async endOwnSessions(@CurrentUser() principal: AuthenticatedUser): Promise<void> {
    await this.users.endAllSessions(principal.id);
  }

  @Get(':id')
  @Roles(Role.Admin)
  @ApiOperationDoc({
    summary: 'Get a user',
    description: 'One user. Admins only.',
    response: { status: 200, description: 'The user', type: UserResponse },
    problems: { 400: [], 403: [], 404: ['IDENTITY.USER_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.get(id));
  }

  @Patch(':id')
  @Roles(Role.Admin)
  @ApiOperationDoc({
    summary: 'Change a user',
    description:
      'Changes the name or roles. The last active admin keeps the admin role. Admins only.',
    response: { status: 200, description: 'The changed user', type: UserResponse },
    body: true,
    problems: { 403: [], 404: ['IDENTITY.USER_NOT_FOUND'], 409: ['IDENTITY.LAST_ADMIN'] },
    uuidParams: ['id'],
  })
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
  ): Promise<UserView> {
    return toUserView(await this.users.update(id, { name: body.name, roles: body.roles }));
  }

  @Put(':id/hubs')
  @Roles(Role.Admin)
  @ApiOperationDoc({
    summary: "Set a user's hubs",
    description: 'Replaces the hub memberships of the user. Admins only.',
    response: { status: 200, description: 'The changed user', type: UserResponse },
    body: true,
    problems: { 403: [], 404: ['IDENTITY.USER_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  async setHubs(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SetHubsDto,
  ): Promise<UserView> {
    return toUserView(await this.users.setHubs(id, body.hub_ids));
  }

  @Put(':id/password')
  @Roles(Role.Admin)
  @HttpCode(204)
  @ApiOperationDoc({
    summary: "Set a user's password",
    description:
      'The new password must pass the password policy; every session of the user is revoked. Admins only.',
    response: { status: 204, description: 'Set' },
    body: true,
    problems: {
      403: [],
      404: ['IDENTITY.USER_NOT_FOUND'],
      409: ['IDENTITY.USER_DEACTIVATED'],
      422: ['IDENTITY.WEAK_PASSWORD'],
    },
    uuidParams: ['id'],
  })
  async setPassword(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SetPasswordDto,
  ): Promise<void> {
    await this.users.setPassword(id, body.password);
  }

  @Post(':id/unlock')
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperationDoc({
    summary: 'Unlock a user',
    description: 'Clears the lock and the failed sign-in count. Idempotent. Admins only.',
    response: { status: 200, description: 'The user', type: UserResponse },
    problems: { 400: [], 403: [], 404: ['IDENTITY.USER_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  async unlock(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.unlock(id));
  }

  @Post(':id/deactivate')
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperationDoc({
    summary: 'Deactivate a user',
    description:
      'The user can no longer sign in and every session is revoked; the last active admin cannot be deactivated. Idempotent. Admins only.',
    response: { status: 200, description: 'The user', type: UserResponse },
    problems: { 400: [], 403: [], 404: ['IDENTITY.USER_NOT_FOUND'], 409: ['IDENTITY.LAST_ADMIN'] },
    uuidParams: ['id'],
  })
  async deactivate(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.deactivate(id));
  }

  @Post(':id/reactivate')
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperationDoc({
    summary: 'Reactivate a user',
    description: 'A deactivated user may sign in again. Idempotent. Admins only.',
    response: { status: 200, description: 'The user', type: UserResponse },
    problems: { 400: [], 403: [], 404: ['IDENTITY.USER_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  async reactivate(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.reactivate(id));
  }
}
