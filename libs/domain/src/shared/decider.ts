/** Emmett's decider: pure functions, time and ids come in with the command. */
export interface Decider<State, Command, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** An event as the domain sees it: a discriminated union member. */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

export function fold<State, Event>(decider: Pick<Decider<State, unknown, Event>, 'evolve' | 'initialState'>, events: Event[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}

/** Closes a switch over a union: a new case that is not handled fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
