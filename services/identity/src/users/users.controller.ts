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
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { UsersService } from './users.service.js';

const DEFAULT_PAGE_SIZE = 50;

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Roles(Role.Admin)
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
  async list(
    @Query() query: ListUsersQuery,
  ): Promise<{ items: UserView[]; next_cursor: string | null }> {
    const page = await this.users.list(query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { items: page.items.map(toUserView), next_cursor: page.nextCursor };
  }

  /** The signed-in user's own record. */
  @Get('me')
  async me(@CurrentUser() principal: AuthenticatedUser): Promise<UserView> {
    return toUserView(await this.users.get(principal.id));
  }

  /** Changes the signed-in user's password; every session of theirs is revoked. */
  @Put('me/password')
  @HttpCode(204)
  async changeOwnPassword(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() body: ChangeOwnPasswordDto,
  ): Promise<void> {
    await this.users.changeOwnPassword(principal.id, body.current_password, body.new_password);
  }

  /** Signs the user out everywhere: every refresh token of theirs stops working. */
  @Delete('me/sessions')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out everywhere (end every session of the signed-in user)' })
  async endOwnSessions(@CurrentUser() principal: AuthenticatedUser): Promise<void> {
    await this.users.endAllSessions(principal.id);
  }

  @Get(':id')
  @Roles(Role.Admin)
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.get(id));
  }

  @Patch(':id')
  @Roles(Role.Admin)
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
  ): Promise<UserView> {
    return toUserView(await this.users.update(id, { name: body.name, roles: body.roles }));
  }

  @Put(':id/hubs')
  @Roles(Role.Admin)
  async setHubs(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SetHubsDto,
  ): Promise<UserView> {
    return toUserView(await this.users.setHubs(id, body.hub_ids));
  }

  @Put(':id/password')
  @Roles(Role.Admin)
  @HttpCode(204)
  async setPassword(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SetPasswordDto,
  ): Promise<void> {
    await this.users.setPassword(id, body.password);
  }

  @Post(':id/unlock')
  @Roles(Role.Admin)
  @HttpCode(200)
  async unlock(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.unlock(id));
  }

  @Post(':id/deactivate')
  @Roles(Role.Admin)
  @HttpCode(200)
  async deactivate(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.deactivate(id));
  }

  @Post(':id/reactivate')
  @Roles(Role.Admin)
  @HttpCode(200)
  async reactivate(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.reactivate(id));
  }
}
