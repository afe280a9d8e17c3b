package org.jvs.proxy.http.sched;

import java.util.List;
import org.jvs.core.time.Clock;

/**
 * The thesis' improved content-based scheduling (6.3.6, second form): the rule's static set (or the
 * default set) bounds the candidates, and within it the target keeps a dynamic LBLCR set, so requests of
 * one kind stay on the servers that can serve them and a target stays where its data is cached.
 */
public final class ContentLblcr extends Lblcr {

    private final ContentRule.Compiled[] rules;
    private final long defaultServers;

    public ContentLblcr(ServerSet servers, List<ContentRule> rules, long defaultServers, int targets, long kNanos,
                        long expireNanos, Clock clock) {
        super(servers, targets, kNanos, expireNanos, clock);
        this.rules = ContentBased.compile(rules);
        this.defaultServers = defaultServers == 0 ? servers.all() : defaultServers;
    }

    @Override
    public String name() {
        return "content-lblcr";
    }

    @Override
    public L7Server pick(L7Request request) {
        return pick(request, ContentBased.staticSet(rules, defaultServers, request));
    }
}
