package org.jvs.health;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** keepalived's SMTP_CHECK: banner 220, {@code HELO name} answered 250, then {@code QUIT}. */
public record SmtpChecker(String heloName, int port) implements Checker {

    public SmtpChecker {
        heloName = heloName == null || heloName.isBlank() ? "localhost" : heloName.strip();
        if (heloName.contains("\r") || heloName.contains("\n") || heloName.contains(" ")) {
            throw new IllegalArgumentException("helo_name must be one word");
        }
    }

    @Override
    public CheckResult check(InetSocketAddress target, Duration timeout) {
        Probes.Deadline d = Probes.Deadline.after(timeout);
        String step = "connect";
        try (Socket s = new Socket()) {
            s.connect(target, Probes.millis(timeout));
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            step = "banner";
            String banner = reply(s, in, d);
            if (!banner.startsWith("220")) {
                return CheckResult.down("banner '" + Reasons.brief(banner) + "' is not 220");
            }
            step = "HELO";
            out.write(("HELO " + heloName + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String helo = reply(s, in, d);
            if (!helo.startsWith("250")) {
                return CheckResult.down("HELO answered '" + Reasons.brief(helo) + "', not 250");
            }
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return CheckResult.up("220 banner, HELO 250");
        } catch (IOException e) {
            return CheckResult.down(Reasons.of(step, e, timeout));
        }
    }

    /** The last line of a (possibly multi-line, "250-...") SMTP reply. */
    private static String reply(Socket s, InputStream in, Probes.Deadline d) throws IOException {
        while (true) {
            String line = Probes.readLine(s, in, d, 1024);
            if (line == null) {
                throw new IOException("connection closed");
            }
            if (line.length() < 4 || line.charAt(3) != '-') {
                return line;
            }
        }
    }

    @Override
    public String type() {
        return "smtp";
    }
}
