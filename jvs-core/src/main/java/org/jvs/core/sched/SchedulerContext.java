package org.jvs.core.sched;

import org.jvs.core.model.ServiceSpec;
import org.jvs.core.time.Clock;

/** What a scheduler may know of its surroundings when created: its service's options and the clock. */
public record SchedulerContext(ServiceSpec service, Clock clock) {
}
