/** A request's command context: the pipeline defines it (it knows no HTTP), the request hooks set it. */
export { commandContext as requestContext, type CommandContext as RequestContext, type IdempotencyContext } from '../commands/command-context';
