import { DomainError, type Decider } from '@mam/domain';

/**
 * Given-when-then for a pure decider, in Emmett's style:
 *
 *   const spec = DeciderSpecification.for(organizationDecider);
 *   spec.given([events]).when(command).then([events]);
 *   spec.given([events]).when(command).thenFails('MEMBER_LIMIT');
 *   spec.given([events]).when(command).thenNothing();
 *
 * `given` events are folded with the decider's own `evolve` from its initial
 * state; `when` runs `decide` once the outcome is asserted.
 */
export interface DeciderThen<Event> {
  /** The decided events equal `expected` (toEqual). */
  then(expected: Event[]): void;
  /** The decider throws a DomainError with this api.md code. */
  thenFails(code: string): void;
  /** The decider decides nothing (a no-op, e.g. a fact that changes nothing). */
  thenNothing(): void;
}

export interface DeciderWhen<Command, Event> {
  when(command: Command): DeciderThen<Event>;
}

export interface DeciderSpec<Command, Event> {
  given(events: Event[]): DeciderWhen<Command, Event>;
}

const describeOutcome = (events: unknown[]): string => `it decided ${JSON.stringify(events, null, 2)}`;

export const DeciderSpecification = {
  for<State, Command, Event>(decider: Decider<State, Command, Event>): DeciderSpec<Command, Event> {
    return {
      given: (events) => ({
        when: (command) => {
          const run = (): Event[] => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
          return {
            then: (expected) => expect(run()).toEqual(expected),
            thenNothing: () => expect(run()).toEqual([]),
            thenFails: (code) => {
              let decided: Event[];
              try {
                decided = run();
              } catch (error) {
                if (!(error instanceof DomainError)) throw error;
                expect({ code: error.code, message: error.message }).toMatchObject({ code });
                return;
              }
              throw new Error(`expected DomainError ${code}, but ${describeOutcome(decided)}`);
            },
          };
        },
      }),
    };
  },
};
