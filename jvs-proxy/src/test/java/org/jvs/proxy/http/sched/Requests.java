package org.jvs.proxy.http.sched;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jvs.proxy.http.HttpLimits;
import org.jvs.proxy.http.RequestHead;
import org.jvs.proxy.http.RequestParser;

/** Test requests built through the real parser, and server lists. */
final class Requests {

    private Requests() {
    }

    static L7Request get(String target) {
        return request("GET " + target + " HTTP/1.1\r\nHost: shop.example\r\n\r\n");
    }

    static L7Request request(String raw) {
        ByteBuf buf = Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1);
        RequestHead h = new RequestHead(HttpLimits.DEFAULT);
        if (new RequestParser(HttpLimits.DEFAULT).parse(buf, h) != RequestParser.DONE) {
            throw new IllegalArgumentException(h.reason + ": " + raw);
        }
        return new L7Request().set(h, 7);
    }

    static ServerSet servers(int n) {
        List<L7Server> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new L7Server(i, "rs" + (i + 1), 1));
        }
        return new ServerSet(list);
    }

    /** Loads server i with {@code conns} units. */
    static void load(ServerSet s, int i, int conns) {
        L7Server server = s.get(i);
        server.end(server.conns());
        server.begin(conns);
    }
}
