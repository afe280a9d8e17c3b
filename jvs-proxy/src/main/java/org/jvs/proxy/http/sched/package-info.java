/**
 * The layer-7 schedulers: one class each, choosing a real server per request (not per connection) from
 * what the request says. The thesis' own (6.3.5–6.3.6) are {@link org.jvs.proxy.http.sched.Lblc},
 * {@link org.jvs.proxy.http.sched.Lblcr}, {@link org.jvs.proxy.http.sched.ContentBased} and its improved,
 * locality-aware form {@link org.jvs.proxy.http.sched.ContentLblcr}; the per-request forms of rr, wrr,
 * lc, wlc and a sticky hash are here for users who want only those. Load is the thesis' {@code n.conns}:
 * requests in flight on a server, a dynamic one counting 2.
 */
package org.jvs.proxy.http.sched;
