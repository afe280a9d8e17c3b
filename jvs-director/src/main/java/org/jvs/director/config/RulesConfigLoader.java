package org.jvs.director.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvs.cli.CommandExecutor;
import org.jvs.cli.IpvsadmCommand;
import org.jvs.cli.IpvsadmParser;
import org.jvs.cli.UsageException;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.DestSpec;
import org.jvs.core.model.ServiceKey;

/**
 * A configuration written as {@code ipvsadm-save} rules (what {@code ipvsadm -S} prints), so an existing
 * IPVS setup moves over as it is: {@code -A} and {@code -a} lines, plus {@code --set} for timeouts and
 * {@code -C} (ignored: the file is the whole configuration anyway). Director settings take their defaults.
 * Errors name the file and line.
 */
public final class RulesConfigLoader {

    /** Whether a file reads as rules rather than YAML: its first meaningful line is an ipvsadm command. */
    public static boolean looksLikeRules(String text) {
        for (String line : text.split("\r?\n")) {
            List<String> w = CommandExecutor.words(line);
            if (!w.isEmpty()) {
                return w.getFirst().startsWith("-");
            }
        }
        return false;
    }

    public DirectorConfig load(Path file) {
        try {
            return parse(file, Files.readString(file));
        } catch (IOException e) {
            throw new ConfigFileException(file, 0, 0, "", "cannot read: " + e.getMessage());
        }
    }

    public DirectorConfig parse(Path file, String text) {
        record Block(ServiceKey key, org.jvs.core.model.ServiceSpec spec, int line, List<DestSpec> dests, List<Integer> lines) {
        }
        Map<ServiceKey, Block> services = new LinkedHashMap<>();
        DirectorConfig.Settings d = DirectorConfig.Settings.defaults();
        int tcp = 0;
        int fin = 0;
        int udp = 0;
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            List<String> words = CommandExecutor.words(lines[i]);
            if (words.isEmpty()) {
                continue;
            }
            IpvsadmCommand cmd;
            try {
                cmd = IpvsadmParser.parse(words);
            } catch (UsageException | ConfigException e) {
                throw new ConfigFileException(file, n, 0, "", e.getMessage());
            }
            switch (cmd) {
                case IpvsadmCommand.AddService a -> {
                    Block old = services.get(a.spec().key());
                    if (old != null) {
                        throw new ConfigFileException(file, n, 0, "", "service " + a.spec().key() + " is already defined at line " + old.line());
                    }
                    services.put(a.spec().key(), new Block(a.spec().key(), a.spec(), n, new ArrayList<>(), new ArrayList<>()));
                }
                case IpvsadmCommand.AddDest a -> {
                    Block b = services.get(a.service());
                    if (b == null) {
                        throw new ConfigFileException(file, n, 0, "", "service " + a.service() + " is not defined by an earlier -A line");
                    }
                    b.dests().add(a.dest());
                    b.lines().add(n);
                }
                case IpvsadmCommand.SetTimeouts s -> {
                    tcp = s.tcp() != 0 ? s.tcp() : tcp;
                    fin = s.tcpfin() != 0 ? s.tcpfin() : fin;
                    udp = s.udp() != 0 ? s.udp() : udp;
                }
                case IpvsadmCommand.Clear c -> {
                }
                default -> throw new ConfigFileException(file, n, 0, "", "only -A, -a, --set and -C belong in a rules file");
            }
        }
        List<DirectorConfig.Service> out = new ArrayList<>();
        for (Block b : services.values()) {
            out.add(new DirectorConfig.Service(null, b.spec(), b.dests(), b.line(), b.lines()));
        }
        PacketSectionParser.check(file, out); // rules files have no packet: section (docs/packet.md)
        DirectorConfig.Settings s = new DirectorConfig.Settings(d.controlSocket(), null, null, d.connTableSize(), d.connTableSizeV6(),
                tcp, fin, udp, d.expireNodestConn(), d.expireQuiescentTemplate(), d.drainTimeout(), d.connectTimeout());
        return new DirectorConfig(file, s, out);
    }
}
