import { Inject, Injectable } from '@nestjs/common';
import {
  accountStream,
  emptyReportWorld,
  evolveReportWorld,
  organizationStream,
  propertiesUsed,
  reportAccounts,
  reportDecider,
  reportStream,
  userStream,
  type PropertyCoverage,
  type ReportCommand,
  type ReportDefinition,
  type ReportWorld,
  type ReportWorldEvent,
} from '@mam/domain';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { READ_STORE, type ReadStore } from '@mam/read-store';
import type { CommandContext } from '../commands/command-context';
import { CommandExecutor, type CommandResult, type Decision, type StreamLoader } from '../commands/command-executor';
import { Problem } from '../http/problem';
import { stepUpStream, StepUpVerifier } from '../organizations/step-up.verifier';
import { ProjectionsService } from '../projections/projections.service';
import { MIN_POSITION_TIMEOUT_MS } from '../projections/read-your-writes';
import { REPORT_PROPERTIES, type ReportPropertiesDoc } from './report.collections';
import { reportsProjection } from './report.projection';

/** A report command as the controller knows it: step-up and R5 coverage are filled in here. */
export type ReportRequest = ReportCommand extends infer C
  ? C extends ReportCommand
    ? { type: C['type']; data: Omit<C['data'], 'stepUp' | 'coverage'> }
    : never
  : never;

/**
 * R1, R2, R5 commands. Loads the organization, its members, the actor's
 * two-factor stream and the report's stream; appends the report's event
 * and the step-up claim in one atomic append (the assertion is used up
 * only by a command that succeeds), the report stream at the revision it
 * was read (two edits of one report cannot both win; a report id is taken
 * once).
 *
 * R5 is judged on projected CRM data: before deciding, the command waits
 * until the reports projection has processed every event that was in the
 * store when the command began, so a contact written before the request is
 * always seen. A contact change appended while the command is decided is
 * not (nothing guards the many contact streams): that race is accepted —
 * R5 is a definition-time check, and an account that loses the property
 * afterwards is listed as `property-missing` in the results anyway.
 */
@Injectable()
export class ReportCommands {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly stepUp: StepUpVerifier,
    private readonly projections: ProjectionsService,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
  ) {}

  async byUser(context: CommandContext | undefined, request: ReportRequest, stepUpToken: string | undefined, reply?: Record<string, unknown>): Promise<CommandResult> {
    const verified = await this.stepUp.verify(stepUpToken, request.data.actorUserId);
    if (request.type !== 'DeleteReport' && propertiesUsed(request.data.definition).length > 0) await this.caughtUp();
    return this.executor.execute({
      context,
      name: request.type,
      actorUserId: request.data.actorUserId,
      reply,
      decide: async (loader) => {
        const used = verified ? await loader.exists(stepUpStream(verified.jti)) : false;
        const stepUp = verified && !used ? { verification: verified.verification } : null;
        const coverage = request.type === 'DeleteReport' ? {} : await this.coverage(request.data.definition);
        const command = { ...request, data: { ...request.data, stepUp, coverage } } as ReportCommand;
        const decision = await this.decide(command, loader);
        if (verified && stepUp) {
          decision.claims = [
            { streamId: stepUpStream(verified.jti), event: { type: 'StepUpAssertionUsed', data: { userId: request.data.actorUserId, command: request.type } } },
          ];
        }
        return decision;
      },
    });
  }

  private async caughtUp(): Promise<void> {
    const head = (await this.events.headPosition()) ?? 0n;
    if (!(await this.projections.waitFor(head, [reportsProjection.name], MIN_POSITION_TIMEOUT_MS))) {
      throw new Problem(503, 'PROJECTION_LAG', 'the contact data behind R5 is not up to date yet; retry');
    }
  }

  /** R5: which of the properties the definition uses each of its accounts' contacts carry. */
  private async coverage(def: ReportDefinition): Promise<PropertyCoverage> {
    const used = propertiesUsed(def);
    if (used.length === 0) return {};
    const docs = await this.store.getMany<ReportPropertiesDoc>(REPORT_PROPERTIES, reportAccounts(def));
    const coverage: PropertyCoverage = {};
    for (const id of reportAccounts(def)) coverage[id] = used.filter((p) => (docs.get(id)?.counts[p] ?? 0) > 0);
    return coverage;
  }

  private async decide(command: ReportCommand, loader: StreamLoader): Promise<Decision> {
    let world: ReportWorld = emptyReportWorld();
    const apply = (events: ReportWorldEvent[]) => (world = events.reduce(evolveReportWorld, world));
    apply(await loader.load<ReportWorldEvent>(organizationStream(command.data.organizationId)));
    apply(await loader.load<ReportWorldEvent>(reportStream(command.data.reportId)));
    for (const m of world.organization?.members ?? []) apply(await loader.load<ReportWorldEvent>(accountStream(m.accountId)));
    apply(await loader.load<ReportWorldEvent>(userStream(command.data.actorUserId)));
    return { writes: [{ streamId: reportStream(command.data.reportId), events: reportDecider.decide(command, world) }] };
  }
}
