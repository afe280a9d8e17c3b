package org.jvs.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The handler of one connection to a real server. It serves one client session at a time; idle in the
 * pool it has none, and anything the server sends or a close then just ends the connection.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter {

    final Roster roster;
    final int server;
    ClientSession session;
    ChannelHandlerContext ctx;
    /** Whether it has carried a request before (a reused connection may have been closed by the server). */
    boolean reused;

    ServerConnection(Roster roster, int server) {
        this.roster = roster;
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        roster.stats[server].open.increment();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        roster.stats[server].open.decrement(); // the channel is closed and deregistered (or never connected)
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ClientSession s = session;
        if (s == null) {
            ((ByteBuf) msg).release();
            ctx.close();
            return;
        }
        s.serverRead((ByteBuf) msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ClientSession s = session;
        session = null;
        if (s != null) {
            s.serverClosed(this);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ClientSession s = session;
        if (s != null) {
            s.serverWritabilityChanged();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
