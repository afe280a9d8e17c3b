/** Minimal HTTP/1.1 helpers for lab clients (tests and benchmarks) that must see the wire exactly. */
package org.jvs.testkit.http;
