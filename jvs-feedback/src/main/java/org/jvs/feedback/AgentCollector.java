package org.jvs.feedback;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reads a real server's figures from JVS' light agent ({@link AgentProtocol}). */
public final class AgentCollector {
    private AgentCollector() {
    }

    public static Sample collect(CollectorSpec.Agent spec, String host) throws CollectorException {
        String h = spec.host() != null ? spec.host() : host;
        String where = "agent " + h + ":" + spec.port();
        byte[] reply;
        try {
            reply = TcpExchange.call(new InetSocketAddress(h, spec.port()), spec.timeout(),
                    (AgentProtocol.REQUEST + "\n").getBytes(StandardCharsets.US_ASCII), AgentProtocol.MAX_REPLY);
        } catch (IOException e) {
            throw new CollectorException(where + ": " + e.getMessage(), e);
        }
        String text = new String(reply, StandardCharsets.US_ASCII);
        if (!text.endsWith("\n")) {
            throw new CollectorException(where + ": answer cut short (last line has no newline)");
        }
        List<String> lines = text.lines().toList();
        for (String l : lines) {
            if (l.length() > AgentProtocol.MAX_LINE) {
                throw new CollectorException(where + ": line longer than " + AgentProtocol.MAX_LINE + " bytes");
            }
        }
        return AgentProtocol.parse(lines, where);
    }
}
