package org.jvs.health;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * keepalived's DNS_CHECK: one query over UDP (type default SOA, name default "."); up when the answer has
 * the query's id, RCODE NOERROR and at least one answer record.
 */
public record DnsChecker(String queryType, String name, int port) implements Checker {

    /** The query types keepalived offers, with their RFC 1035/3596 numbers. */
    public static final Map<String, Integer> TYPES = Map.of("A", 1, "NS", 2, "CNAME", 5, "SOA", 6, "MX", 15, "TXT", 16, "AAAA", 28);

    private static final String[] RCODES = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};

    public DnsChecker {
        queryType = queryType == null ? "SOA" : queryType.toUpperCase(Locale.ROOT);
        if (!TYPES.containsKey(queryType)) {
            throw new IllegalArgumentException("unknown DNS query type '" + queryType + "' (A, AAAA, CNAME, MX, NS, SOA, TXT)");
        }
        name = name == null || name.isEmpty() ? "." : name;
        for (String label : labels(name)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException("bad DNS name '" + name + "'");
            }
        }
    }

    private static String[] labels(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.isEmpty() ? new String[0] : n.split("\\.", -1);
    }

    @Override
    public CheckResult check(InetSocketAddress target, Duration timeout) {
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        byte[] query = query(id);
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(target);
            s.setSoTimeout(Probes.millis(timeout));
            s.send(new DatagramPacket(query, query.length));
            byte[] buf = new byte[4096];
            long end = System.nanoTime() + timeout.toNanos();
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                if (p.getLength() < 12 || ((buf[0] & 0xFF) << 8 | (buf[1] & 0xFF)) != id) {
                    // Not our answer (a late one from an earlier check): keep waiting within the deadline.
                    long left = (end - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        return CheckResult.down("no answer, " + Reasons.timeout(timeout));
                    }
                    s.setSoTimeout((int) left);
                    continue;
                }
                if ((buf[2] & 0x80) == 0) {
                    return CheckResult.down("reply is not a DNS response");
                }
                int rcode = buf[3] & 0x0F;
                int answers = (buf[6] & 0xFF) << 8 | (buf[7] & 0xFF);
                if (rcode != 0) {
                    return CheckResult.down("rcode " + (rcode < RCODES.length ? RCODES[rcode] : Integer.toString(rcode)) + " for " + queryType + " " + name);
                }
                if (answers == 0) {
                    return CheckResult.down("no answer record for " + queryType + " " + name);
                }
                return CheckResult.up("NOERROR, " + answers + " answer" + (answers == 1 ? "" : "s"));
            }
        } catch (SocketTimeoutException e) {
            return CheckResult.down("no answer, " + Reasons.timeout(timeout));
        } catch (PortUnreachableException e) {
            return CheckResult.down("port unreachable (ICMP)");
        } catch (IOException e) {
            return CheckResult.down(Reasons.of("query", e, timeout));
        }
    }

    byte[] query(int id) {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.write(id >> 8);
        q.write(id);
        q.write(0x01); // RD
        q.write(0x00);
        q.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : labels(name)) {
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            q.write(b.length);
            q.writeBytes(b);
        }
        q.write(0);
        int t = TYPES.get(queryType);
        q.writeBytes(new byte[] {(byte) (t >> 8), (byte) t, 0, 1});
        return q.toByteArray();
    }

    @Override
    public String type() {
        return "dns";
    }
}
