/**
 * {@code /metrics} for Prometheus (docs/metrics.md): the families a director exports, read at scrape time from the
 * core's snapshot, health, feedback and the data planes, and the HTTP listener that serves them.
 */
package org.jvs.director.metrics;
