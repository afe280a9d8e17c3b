package org.jvs.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * keepalived's MISC_CHECK with {@code misc_dynamic}: runs a command; exit 0 up, 1 down, 2..255 up with
 * weight = status − 2. {@code {address}} and {@code {port}} in the arguments become the real server's. A
 * command still running at the timeout is killed (with its children) and the check fails.
 */
public record ScriptChecker(List<String> command, int port) implements Checker {

    public ScriptChecker {
        if (command == null || command.isEmpty() || command.getFirst().isBlank()) {
            throw new IllegalArgumentException("a script check needs 'command'");
        }
        command = List.copyOf(command);
    }

    @Override
    public CheckResult check(InetSocketAddress target, Duration timeout) {
        List<String> argv = new ArrayList<>(command.size());
        for (String a : command) {
            argv.add(a.replace("{address}", target.getAddress().getHostAddress()).replace("{port}", Integer.toString(target.getPort())));
        }
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            return CheckResult.down("cannot run " + command.getFirst() + ": " + Reasons.brief(e.getMessage()));
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return CheckResult.down(Reasons.timeout(timeout) + ", killed");
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return CheckResult.down("interrupted");
        }
        int status = p.exitValue();
        return switch (status) {
            case 0 -> CheckResult.up("exit 0");
            case 1 -> CheckResult.down("exit 1");
            default -> status >= 2 && status <= 255
                    ? new CheckResult(CheckResult.Status.UP, "exit " + status + ": weight " + (status - 2), status - 2, -1)
                    : CheckResult.down("exit " + status);
        };
    }

    @Override
    public String type() {
        return "script";
    }
}
