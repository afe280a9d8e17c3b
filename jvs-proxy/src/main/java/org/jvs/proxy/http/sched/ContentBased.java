package org.jvs.proxy.http.sched;

import java.util.List;

/**
 * Content-based scheduling (thesis 6.3.6, first form): the first rule the request matches gives its
 * server set, the default set otherwise; the least-loaded usable member serves it.
 */
public final class ContentBased implements RequestScheduler {

    private final ServerSet servers;
    private final ContentRule.Compiled[] rules;
    private final long defaultServers;

    public ContentBased(ServerSet servers, List<ContentRule> rules, long defaultServers) {
        this.servers = servers;
        this.rules = compile(rules);
        this.defaultServers = defaultServers == 0 ? servers.all() : defaultServers;
    }

    static ContentRule.Compiled[] compile(List<ContentRule> rules) {
        ContentRule.Compiled[] c = new ContentRule.Compiled[rules.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = rules.get(i).compile();
        }
        return c;
    }

    /** The static server set of a request: its first matching rule's, else the default set. */
    static long staticSet(ContentRule.Compiled[] rules, long defaults, L7Request r) {
        for (ContentRule.Compiled rule : rules) {
            if (rule.matches(r.head)) {
                return rule.servers();
            }
        }
        return defaults;
    }

    @Override
    public String name() {
        return "content";
    }

    @Override
    public L7Server pick(L7Request request) {
        return servers.leastLoaded(staticSet(rules, defaultServers, request));
    }
}
