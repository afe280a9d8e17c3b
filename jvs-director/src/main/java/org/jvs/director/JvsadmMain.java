package org.jvs.director;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jvs.director.api.ControlClient;
import org.jvs.director.api.ControlServer;
import org.jvs.director.api.Json;
import org.jvs.director.config.DirectorConfig;

/**
 * {@code bin/jvsadm}: ipvsadm's command line, executed by the running director. The client only carries
 * the arguments (and standard input for {@code -R}) to the control API and prints the answer, so every
 * command behaves the same from the CLI, the API and the console. The socket comes from
 * {@code $JVS_SOCKET}, else the director's default, or, with {@code $JVS_API}, the HTTPS API (docs/jvsadm.md).
 */
public final class JvsadmMain {
    private JvsadmMain() {
    }

    public static void main(String[] args) throws IOException {
        ControlClient.Endpoint to;
        try {
            to = ControlClient.fromEnvironment(System.getenv(), DirectorConfig.Settings.defaultControlSocket());
        } catch (IllegalArgumentException e) {
            System.err.println("jvsadm: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(List.of(args), to, System.in, System.out, System.err));
    }

    static int run(List<String> argv, Path socket, java.io.InputStream stdin, PrintStream out, PrintStream err) {
        return run(argv, new ControlClient.Unix(socket), stdin, out, err);
    }

    /** One jvsadm command line sent to the director at {@code socket} (its Unix socket, or HTTPS: {@code JVS_API}). */
    static int run(List<String> argv, ControlClient.Endpoint socket, java.io.InputStream stdin, PrintStream out, PrintStream err) {
        if (!argv.isEmpty() && argv.getFirst().equals("--import-keepalived")) {
            return org.jvs.director.importer.ImportMain.run(argv.subList(1, argv.size()), out, err);
        }
        if (VrrpListing.wants(argv)) {
            return VrrpListing.run(argv, socket, out, err);
        }
        if (L7Listing.wants(argv)) {
            return L7Listing.run(argv, socket, out, err);
        }
        if (org.jvs.director.feedback.FeedbackCli.wants(argv)) {
            return org.jvs.director.feedback.FeedbackCli.run(argv, socket, out, err);
        }
        StringBuilder body = new StringBuilder("{\"argv\":[");
        body.append(argv.stream().map(Json::quote).collect(Collectors.joining(",")));
        body.append(']');
        if ((argv.contains("-R") || argv.contains("--restore")) && stdin != null) {
            try {
                body.append(",\"stdin\":").append(Json.quote(new String(stdin.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                err.println("jvsadm: cannot read standard input: " + e.getMessage());
                return 2;
            }
        }
        body.append('}');
        ControlServer.Response r = ControlClient.callFromCli(socket, "POST", "/v1/ipvsadm", body.toString(), err);
        if (r == null) {
            return 2;
        }
        Object parsed = ControlClient.answerFromCli(r, err);
        if (parsed == null) {
            return 2;
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            err.println("jvsadm: unexpected answer from the director");
            return 2;
        }
        if (m.get("error") instanceof String e) {
            err.println(e);
            return 1;
        }
        if (m.get("stdout") instanceof String s) {
            out.print(s);
        }
        if (m.get("stderr") instanceof String s) {
            err.print(s);
        }
        out.flush();
        return m.get("exit") instanceof Number n ? n.intValue() : 0;
    }
}
