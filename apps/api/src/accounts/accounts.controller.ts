import { Body, Controller, Delete, Get, Inject, Param, Post, Put } from '@nestjs/common';
import { Answers } from '../http/route-config';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Account } from '@mam/domain';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import { IdPipe } from '../http/id.pipe';
import { Problem } from '../http/problem';
import { ReadsFrom } from '../projections/read-your-writes';
import { AccountCommands } from './account.commands';
import { AccountUserDto, EmptyDto, HostingLocationDto, RegisterAccountDto, SensitiveDataDto, SubscriptionsDto, TwoFactorDto } from './account.dto';
import { ACCOUNTS, accountView } from './account.projections';

@ApiTags('account facts')
@ApiBearerAuth()
@Controller('v1')
export class AccountsController {
  constructor(
    private readonly commands: AccountCommands,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Post('accounts')
  @Answers(201)
  register(@Body() body: RegisterAccountDto) {
    return this.commands.account(
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
  @Answers(200)
  subscriptions(@Param('accountId', IdPipe) accountId: string, @Body() body: SubscriptionsDto) {
    const subscriptions = body.subscriptions.map((s) => ({ hub: s.hub, tier: s.tier }));
    return this.commands.account({ type: 'ChangeSubscriptions', data: { accountId, subscriptions } });
  }

  @Put('accounts/:accountId/hosting-location')
  @Answers(200)
  hosting(@Param('accountId', IdPipe) accountId: string, @Body() body: HostingLocationDto) {
    return this.commands.account({ type: 'ChangeHostingLocation', data: { accountId, hostingLocation: body.hostingLocation } });
  }

  @Put('accounts/:accountId/sensitive-data')
  @Answers(200)
  sensitiveData(@Param('accountId', IdPipe) accountId: string, @Body() body: SensitiveDataDto) {
    return this.commands.account({ type: 'SetSensitiveData', data: { accountId, enabled: body.enabled } });
  }

  @Post('accounts/:accountId/deactivation')
  @Answers(200)
  deactivate(@Param('accountId', IdPipe) accountId: string, @Body() _body: EmptyDto) {
    return this.commands.account({ type: 'DeactivateAccount', data: { accountId } });
  }

  @Put('accounts/:accountId/users/:userId')
  @Answers(200)
  setUser(@Param('accountId', IdPipe) accountId: string, @Param('userId', IdPipe) userId: string, @Body() body: AccountUserDto) {
    return this.commands.account({ type: 'SetAccountUser', data: { accountId, userId, roles: body.roles, seats: body.seats } });
  }

  @Delete('accounts/:accountId/users/:userId')
  @Answers(200)
  removeUser(@Param('accountId', IdPipe) accountId: string, @Param('userId', IdPipe) userId: string) {
    return this.commands.account({ type: 'RemoveAccountUser', data: { accountId, userId } });
  }

  @Put('users/:userId/two-factor')
  @Answers(200)
  twoFactor(@Param('userId', IdPipe) userId: string, @Body() body: TwoFactorDto) {
    return this.commands.twoFactor(userId, body.enabled);
  }

  @Get('accounts/:accountId')
  @ReadsFrom('accounts')
  async get(@Param('accountId', IdPipe) accountId: string) {
    const account = await this.readStore.get<Account>(ACCOUNTS, accountId);
    if (!account) throw Problem.of('NOT_FOUND', `account ${accountId} does not exist`);
    return accountView(account);
  }
}
