package org.jvs.proxy.http.sched;

import org.jvs.proxy.http.RequestHead;

/**
 * What a layer-7 scheduler is told about one request: its parsed head and a hash of the client's source
 * address. Reused per connection, so scheduling allocates nothing.
 */
public final class L7Request {
    public RequestHead head;
    public long sourceHash;

    public L7Request set(RequestHead head, long sourceHash) {
        this.head = head;
        this.sourceHash = sourceHash;
        return this;
    }

    /** The thesis' cost of a request on its server: 2 when dynamic, 1 when static. */
    public int units() {
        return head.dynamic() ? 2 : 1;
    }
}
