import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance, so tests can start several apps in one process. */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

@Injectable()
export class CommandMetrics {
  private readonly count: Counter<'command' | 'outcome'>;
  private readonly latency: Histogram<'command'>;

  constructor({ registry }: MetricsRegistry) {
    this.count = new Counter({ name: 'mam_commands_total', help: 'Commands handled, by outcome', labelNames: ['command', 'outcome'], registers: [registry] });
    this.latency = new Histogram({
      name: 'mam_command_duration_seconds',
      help: 'Command latency',
      labelNames: ['command'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  }

  /** Starts a timer; call the result with the outcome. */
  start(command: string): (outcome: string) => void {
    const end = this.latency.startTimer({ command });
    return (outcome) => {
      end();
      this.count.inc({ command, outcome });
    };
  }
}

@Injectable()
export class ProjectionMetrics {
  readonly position: Gauge<'projection'>;
  readonly lag: Gauge<'projection'>;
  readonly parked: Gauge<'projection'>;

  constructor({ registry }: MetricsRegistry) {
    this.position = new Gauge({ name: 'mam_projection_position', help: 'Last global position processed', labelNames: ['projection'], registers: [registry] });
    this.lag = new Gauge({ name: 'mam_projection_lag', help: 'Distance in positions to the head of the log', labelNames: ['projection'], registers: [registry] });
    this.parked = new Gauge({ name: 'mam_parked_events', help: 'Events parked by a projection or saga', labelNames: ['projection'], registers: [registry] });
  }
}
