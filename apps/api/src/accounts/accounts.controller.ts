import { Body, Controller, Delete, Get, Inject, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Account } from '@mam/domain';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { CommandResponses, IdParam, PositionDto, QueryResponses } from '../http/openapi';
import { Problem } from '../http/problem';
import { ReadsFrom } from '../projections/read-your-writes';
import { AccountCommands } from './account.commands';
import { AccountUserDto, EmptyDto, HostingLocationDto, RegisterAccountDto, SensitiveDataDto, SubscriptionsDto, TwoFactorDto } from './account.dto';
import { ACCOUNTS, accountView } from './account.projections';
import { AccountRegisteredDto, AccountViewDto } from './account.responses';
import { RequestCtx, type RequestContext } from '../http/request-context';

@ApiTags('account facts')
@ApiBearerAuth()
@Controller('v1')
export class AccountsController {
  constructor(
    private readonly commands: AccountCommands,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Post('accounts')
  @CommandResponses(201, AccountRegisteredDto, 'ALREADY_EXISTS')
  register(@RequestCtx() ctx: RequestContext, @Body() body: RegisterAccountDto) {
    return this.commands.account(
      ctx,
      {
        type: 'RegisterAccount',
        data: {
          accountId: body.accountId,
          name: body.name,
          hostingLocation: body.hostingLocation,
          sandbox: body.sandbox ?? false,
          subscriptions: body.subscriptions.map((s) => ({ hub: s.hub, tier: s.tier })),
          sensitiveData: body.sensitiveData ?? false,
        },
      },
      { accountId: body.accountId },
    );
  }

  @Put('accounts/:accountId/subscriptions')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED')
  subscriptions(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @Body() body: SubscriptionsDto) {
    const subscriptions = body.subscriptions.map((s) => ({ hub: s.hub, tier: s.tier }));
    return this.commands.account(ctx, { type: 'ChangeSubscriptions', data: { accountId, subscriptions } });
  }

  @Put('accounts/:accountId/hosting-location')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED')
  hosting(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @Body() body: HostingLocationDto) {
    return this.commands.account(ctx, { type: 'ChangeHostingLocation', data: { accountId, hostingLocation: body.hostingLocation } });
  }

  @Put('accounts/:accountId/sensitive-data')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED', 'SENSITIVE_DATA_IRREVERSIBLE')
  sensitiveData(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @Body() body: SensitiveDataDto) {
    return this.commands.account(ctx, { type: 'SetSensitiveData', data: { accountId, enabled: body.enabled } });
  }

  @Post('accounts/:accountId/deactivation')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED')
  deactivate(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @Body() _body: EmptyDto) {
    return this.commands.account(ctx, { type: 'DeactivateAccount', data: { accountId } });
  }

  @Put('accounts/:accountId/users/:userId')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED')
  setUser(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @IdParam('userId') userId: string, @Body() body: AccountUserDto) {
    return this.commands.account(ctx, { type: 'SetAccountUser', data: { accountId, userId, roles: body.roles, seats: body.seats } });
  }

  @Delete('accounts/:accountId/users/:userId')
  @CommandResponses(200, PositionDto, 'NOT_FOUND', 'ACCOUNT_DEACTIVATED')
  removeUser(@RequestCtx() ctx: RequestContext, @IdParam('accountId') accountId: string, @IdParam('userId') userId: string) {
    return this.commands.account(ctx, { type: 'RemoveAccountUser', data: { accountId, userId } });
  }

  @Put('users/:userId/two-factor')
  @CommandResponses(200, PositionDto)
  twoFactor(@RequestCtx() ctx: RequestContext, @IdParam('userId') userId: string, @Body() body: TwoFactorDto) {
    return this.commands.twoFactor(ctx, userId, body.enabled);
  }

  @Get('accounts/:accountId')
  @QueryResponses(AccountViewDto, 'NOT_FOUND')
  @ReadsFrom('accounts')
  async get(@IdParam('accountId') accountId: string) {
    const account = await this.readStore.get<Account>(ACCOUNTS, accountId);
    if (!account) throw Problem.of('NOT_FOUND', `account ${accountId} does not exist`);
    return accountView(account);
  }
}
