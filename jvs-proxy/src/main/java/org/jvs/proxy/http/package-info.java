/**
 * The layer-7 engine (KTCPVS, thesis ch. 6): the strict HTTP/1.x parsing that decides what is a request
 * and what is refused before anything reaches a real server. Parsers work on the connection's own
 * buffer by offsets and reuse one holder per connection, so a request costs no allocation.
 */
package org.jvs.proxy.http;
