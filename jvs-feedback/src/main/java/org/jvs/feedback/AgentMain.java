package org.jvs.feedback;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/jvs agent [--listen host:port] [--disk MOUNT]...}: serves this machine's load figures to a
 * JVS director's feedback monitor (docs/feedback.md). Default listen address 0.0.0.0:4747, disk {@code /}.
 */
public final class AgentMain {
    private static final String USAGE = "usage: bin/jvs agent [--listen HOST:PORT] [--disk MOUNT]... (default 0.0.0.0:"
            + CollectorSpec.AGENT_PORT + ", disk /)";

    private AgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        String listen = "0.0.0.0:" + CollectorSpec.AGENT_PORT;
        List<Path> disks = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--listen", "-l" -> listen = value(args, ++i);
                case "--disk", "-d" -> disks.add(Path.of(value(args, ++i)));
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> fail("unknown option '" + args[i] + "'");
            }
        }
        if (disks.isEmpty()) {
            disks.add(Path.of("/"));
        }
        for (Path d : disks) {
            if (!Files.isDirectory(d)) {
                fail("--disk " + d + ": no such directory");
            }
        }
        InetSocketAddress address = parseListen(listen);
        ProcFigures figures = new ProcFigures(Path.of("/proc"), disks);
        try (AgentServer server = new AgentServer(address, figures::read)) {
            System.err.println("jvs agent: serving load figures on " + server.address() + " (disks " + disks + ")");
            CountDownLatch forever = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(forever::countDown));
            forever.await();
        } catch (IOException e) {
            fail("cannot listen on " + listen + ": " + e.getMessage());
        }
    }

    static InetSocketAddress parseListen(String hp) {
        int colon = hp.lastIndexOf(':');
        if (colon <= 0 || colon == hp.length() - 1) {
            fail("--listen must be HOST:PORT, got '" + hp + "'");
        }
        String host = hp.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(hp.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            fail("--listen port must be 0..65535, got '" + hp.substring(colon + 1) + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IOException e) {
            fail("--listen host '" + host + "': " + e.getMessage());
            return null;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            fail(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void fail(String message) {
        System.err.println("jvs agent: " + message + "\n" + USAGE);
        System.exit(2);
    }
}
