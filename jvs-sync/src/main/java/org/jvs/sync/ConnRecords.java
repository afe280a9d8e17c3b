package org.jvs.sync;

import org.jvs.core.Dest;
import org.jvs.core.LoadBalancer;
import org.jvs.core.conn.ConnTable;
import org.jvs.core.conn.TcpState;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ServiceKey;

/**
 * Turns a connection-table entry into the record IPVS would send for it, field by field as the kernel's master
 * fills {@code ip_vs_sync_conn_v0/v4/v6}: flags are the forwarding method, TEMPLATE, NOOUTPUT (every method but
 * NAT and FullNAT: replies bypass the director) and INACTIVE (anything but an ESTABLISHED TCP connection); the
 * firewall mark of a fwmark service; and the seconds the entry has left. Entries of socket-engine services are
 * not sent: their connections end at the director's own sockets and cannot move to another machine.
 */
final class ConnRecords {
    private ConnRecords() {
    }

    /** What {@link #fill} made of an entry. */
    enum Fill { OK, GONE, SOCKET_ENGINE }

    static Fill fill(SyncConn c, LoadBalancer lb, ConnTable t, int idx) {
        if (!t.isLive(idx)) {
            return Fill.GONE;
        }
        Dest d = lb.destOf(t.destId(idx));
        if (d == null) {
            return Fill.GONE;
        }
        if (d.service().spec().engine() == Engine.SOCKET) {
            return Fill.SOCKET_ENGINE;
        }
        boolean template = t.isTemplate(idx);
        int proto = t.protocol(idx);
        int state = t.state(idx);
        int method = t.methodCode(idx);
        int flags = method & ConnFlags.FWD_MASK;
        if (template) {
            flags |= ConnFlags.TEMPLATE;
        }
        if (method != ConnFlags.MASQ && method != 5) {
            flags |= ConnFlags.NOOUTPUT;
        }
        if (!template && !(proto == 6 && state == TcpState.ESTABLISHED.ordinal())) {
            flags |= ConnFlags.INACTIVE;
        }
        c.clear()
                .v6(t.isV6())
                .protocol(proto)
                .flags(flags)
                .state(template ? 0 : state)
                .cport(t.clientPort(idx))
                .vport(t.virtualPort(idx))
                .dport(t.destPort(idx))
                .fwmark(d.service().key() instanceof ServiceKey.Fwmark m ? m.mark() : 0)
                .timeout(Math.max(1, t.expiresIn(idx)))
                .caddr(t.clientHi(idx), t.clientLo(idx))
                .vaddr(t.virtualHi(idx), t.virtualLo(idx))
                .daddr(t.destHi(idx), t.destLo(idx));
        return Fill.OK;
    }
}
