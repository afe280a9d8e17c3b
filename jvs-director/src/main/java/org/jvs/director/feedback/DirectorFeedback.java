package org.jvs.director.feedback;

import java.util.List;
import org.jvs.core.LoadBalancer;
import org.jvs.director.WeightArbiter;
import org.jvs.feedback.FeedbackConfig;
import org.jvs.feedback.FeedbackMonitor;
import org.jvs.feedback.ServiceStatus;

/**
 * The director's dynamic feedback (docs/feedback.md): one {@link FeedbackMonitor} whose weights go through
 * the director's {@link WeightArbiter}, so health checks and the administrator's weight 0 keep their say.
 * The monitor's timer starts with the first configuration that has a {@code feedback:} section.
 */
public final class DirectorFeedback implements AutoCloseable {
    private final FeedbackMonitor monitor;

    public DirectorFeedback(LoadBalancer lb, WeightArbiter weights, FeedbackConfig config) {
        this.monitor = FeedbackMonitor.create(lb, weights::feedback);
        configure(config);
    }

    /** At start and after every reload. */
    public void configure(FeedbackConfig config) {
        monitor.configure(config);
        if (config.enabled()) {
            monitor.start();
        }
    }

    public FeedbackMonitor monitor() {
        return monitor;
    }

    public List<ServiceStatus> status() {
        return monitor.status();
    }

    /** {@code GET /v1/feedback}. */
    public String statusJson() {
        return FeedbackJson.status(monitor.config().enabled(), monitor.status());
    }

    @Override
    public void close() {
        monitor.close();
    }
}
