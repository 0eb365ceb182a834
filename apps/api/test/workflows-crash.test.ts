import { READ_STORE, type ReadStore } from '@mam/read-store';
import { ProjectionsService } from '../src/projections/projections.service';
import { WorkflowCommands } from '../src/workflows/workflow.commands';
import { eventStoreWorkflowsContext } from '../src/workflows/workflows.context';
import { createdContactId, WORKFLOWS_PROCESS, workflowsProcess } from '../src/workflows/workflows.process';
import { PARKED_COLLECTION } from '../src/projections/parked-events';
import { eventually, ok } from './fixtures';
import { TestApp } from './test-app';
import { BACKGROUND_MS, contact, contactsOf, deal, eventsOf, givenWorkflowOrg, listWorkflows, postWorkflow, processReached, runsReach } from './workflow-fixtures';

/**
 * W3 across restarts and crashes: the workflows process's checkpoint lives in
 * the read store, every command's id derives from the trigger, and the run is
 * recorded in a stream of its own — so a restart, a redelivery from an older
 * checkpoint, or a crash between two of one trigger's contact writes never
 * writes a contact twice or counts a run twice.
 */
jest.setTimeout(60_000); // restarts on a loaded machine

describe('workflows across restarts and crashes (W3)', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
  });
  const start = async (env: Record<string, string> = {}) => {
    const app = await TestApp.start(env);
    apps.push(app);
    return app;
  };
  const parked = async (t: TestApp) => (await t.app.get<ReadStore>(READ_STORE).find(PARKED_COLLECTION, { projection: WORKFLOWS_PROCESS })).length;

  it('W3 a restart, and a redelivery from a checkpoint older than the trigger, repeat no run and write no contact again', async () => {
    const t = await start();
    const o = await givenWorkflowOrg(t);
    const { workflowId } = await ok(postWorkflow(t, o, { action: { type: 'create-or-update-contact', markCrossSellOpportunity: true } }), 201);
    await contact(t, o.source, 's1', { email: 'one@example.com' });
    await contact(t, o.source, 's2', { email: 'two@example.com' });
    await contact(t, o.target, 't2', { email: 'two@example.com' });
    const closed = await deal(t, o.source, 'd', 'closedwon', ['s1', 's2']);
    await runsReach(t, o, workflowId, 1);
    await processReached(t, await t.headPosition());
    const count = await t.eventCount();

    await t.restart();
    await processReached(t, await t.headPosition());
    expect(await t.eventCount()).toBe(count);

    // As if the process had died before storing its checkpoint past the trigger.
    await t.restart({ RUN_SAGAS: 'false' });
    await t.app.get<ReadStore>(READ_STORE).commit({ puts: [], deletes: [], checkpoints: [{ name: WORKFLOWS_PROCESS, position: BigInt(closed.position) - 1n }] });
    await t.restart();
    await processReached(t, await t.headPosition());
    expect(await t.eventCount()).toBe(count);
    expect((await listWorkflows(t, o, String(count)))[0]).toMatchObject({ runs: 1, failedRuns: 0 });
    expect(await eventsOf(t, `contact-${o.target}|t2`, 'ContactUpserted')).toHaveLength(2);
    expect(await parked(t)).toBe(0);
  });

  it('W3 a crash between the target\'s contacts of one trigger: after the restart the rest is written, nothing twice, one run', async () => {
    const t = await start({ RUN_SAGAS: 'false' });
    const o = await givenWorkflowOrg(t);
    const { workflowId } = await ok(postWorkflow(t, o, { action: { type: 'create-or-update-contact', properties: { won: 'yes' } } }), 201);
    await contact(t, o.source, 's1', { email: 'first@example.com', firstName: 'First' });
    await contact(t, o.source, 's2', { email: 'second@example.com', firstName: 'Second' });
    await deal(t, o.source, 'd', 'closedwon', ['s1', 's2']);
    const [trigger] = await eventsOf(t, `deal-${o.source}|d`);

    // What the runner does for the trigger, cut short after the first contact write.
    const projections = t.app.get(ProjectionsService);
    const context = eventStoreWorkflowsContext(t.events, t.app.get(READ_STORE), (p) => projections.waitFor(p, ['mirroring'], 5000));
    const commands = await workflowsProcess.react(trigger, context);
    expect(commands.map((c) => c.type)).toEqual(['WriteTargetContacts', 'WriteTargetContacts', 'RecordWorkflowRun']);
    await t.app.get(WorkflowCommands).dispatch(commands[0], workflowsProcess.commandId(trigger, commands[0]), trigger.id);
    const first = createdContactId(trigger.id, o.organizationId, workflowId, 's1');
    const second = createdContactId(trigger.id, o.organizationId, workflowId, 's2');
    expect(await eventsOf(t, `contact-${o.target}|${first}`)).toHaveLength(1);
    // Someone edits the written contact before the process comes back: the redelivery must not undo or repeat.
    await contact(t, o.target, first, { email: 'first@example.com', firstName: 'Edited', properties: {} });

    await t.restart({ RUN_SAGAS: 'true' });
    await runsReach(t, o, workflowId, 1);
    await processReached(t, await t.headPosition());
    const contacts = await eventually(() => contactsOf(t, o.target), (m) => m.size === 2, BACKGROUND_MS);
    expect(contacts.get(first)).toMatchObject({ firstName: 'Edited', properties: {} });
    expect(contacts.get(second)).toMatchObject({ firstName: 'Second', properties: { won: 'yes' } });
    expect(await eventsOf(t, `contact-${o.target}|${first}`)).toHaveLength(2);
    expect(await eventsOf(t, `contact-${o.target}|${second}`)).toHaveLength(1);
    expect(await eventsOf(t, `workflow-run-${o.organizationId}|${workflowId}|${trigger.id}`)).toHaveLength(1);
    expect((await listWorkflows(t, o))[0]).toMatchObject({ runs: 1 });
    expect(await parked(t)).toBe(0);
  });
});
