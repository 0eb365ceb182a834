import type { Decider } from '../shared/decider';

/** O6: two-factor authentication is set up per user, in the stream `user-{userId}`. */
export type UserEvent = { type: 'TwoFactorChanged'; data: { userId: string; enabled: boolean } };
export type UserCommand = { type: 'SetTwoFactor'; data: { userId: string; enabled: boolean } };
export interface UserState {
  twoFactorEnabled: boolean;
}

export const userStream = (userId: string): string => `user-${userId}`;

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ twoFactorEnabled: false }),
  evolve: (_state, event) => ({ twoFactorEnabled: event.data.enabled }),
  decide: (command, state) =>
    state.twoFactorEnabled === command.data.enabled ? [] : [{ type: 'TwoFactorChanged', data: command.data }],
};
