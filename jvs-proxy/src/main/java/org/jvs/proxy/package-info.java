/** The socket engine: a user-space L4 relay on Netty for services whose engine is SOCKET. */
package org.jvs.proxy;
