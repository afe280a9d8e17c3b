package org.jvs.proxy.http;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one http service: requests, responses by status class, refusals, retries, server connections (per server: the core Dest's counters). */
public final class HttpStats {
    public final LongAdder requests = new LongAdder();
    public final LongAdder refused = new LongAdder();
    public final LongAdder retries = new LongAdder();
    public final LongAdder connectionsOpened = new LongAdder();
    public final LongAdder connectionsReused = new LongAdder();
    /** 1xx..5xx at index 1..5. */
    public final LongAdder[] statusClass = new LongAdder[6];

    HttpStats() {
        for (int i = 0; i < statusClass.length; i++) {
            statusClass[i] = new LongAdder();
        }
    }

    void status(int status) {
        int c = status / 100;
        if (c >= 1 && c <= 5) {
            statusClass[c].increment();
        }
    }
}
