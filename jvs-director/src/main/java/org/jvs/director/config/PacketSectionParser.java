package org.jvs.director.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jvs.core.model.Engine;
import org.jvs.packet.engine.Addresses;
import org.jvs.packet.engine.EngineConfig;
import org.jvs.packet.engine.MarkRule;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * The {@code packet:} section of the director's YAML: the packet engine's interfaces and threads (format in
 * {@code docs/packet.md}), and the checks that tie {@code engine: packet} services to it. Errors name file,
 * line, column and field like the rest of the loader.
 *
 * <pre>
 * packet:
 *   interfaces:
 *     - name: eth0
 *       role: client        # client, server or both
 *     - name: eth1
 *       role: server
 *     - eth2                # a bare name: role both
 *   workers: 1              # worker threads per interface (default 1)
 *   gateway: 192.0.2.254    # optional: next hop for clients off the connected subnets (default: default route)
 *   nftables: true          # optional: let the engine keep the kernel off its traffic (default true)
 *   nft_table: jvs_packet   # optional: name of the netdev table it owns
 *   marks:                  # optional: the firewall-mark classifier of fwmark services (ipvsadm -f)
 *     - {mark: 1, protocol: tcp, address: 203.0.113.10, ports: "80,443"}
 *     - {mark: 2, address: 203.0.113.11, ports: "5000-5100"}   # protocol: tcp and udp; ports: all when absent
 * </pre>
 */
final class PacketSectionParser {
    private PacketSectionParser() {
    }

    /**
     * The engine configuration of section {@code y} (null when the file has none), after checking that every
     * {@code engine: packet} service ({@code services}, read from the node {@code servicesNode}) has it.
     */
    static EngineConfig parse(Path file, YamlConfigLoader.Y y, YamlConfigLoader.Y servicesNode,
                              List<DirectorConfig.Service> services) {
        EngineConfig config = y == null ? null : section(y);
        if (config == null) {
            for (int i = 0; i < services.size(); i++) {
                if (services.get(i).spec().engine() == Engine.PACKET) {
                    engineField(servicesNode, i).fail(NEEDS_SECTION);
                }
            }
        }
        return config;
    }

    private static final String NEEDS_SECTION =
            "the packet engine needs a top-level 'packet:' section naming its interfaces (see docs/packet.md)";

    /** The {@code engine} value of service {@code i}, so the error points at it. */
    private static YamlConfigLoader.Y engineField(YamlConfigLoader.Y services, int i) {
        YamlConfigLoader.Y item = services.sequence().get(i);
        if (item.node() instanceof MappingNode mn) {
            for (NodeTuple t : mn.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("engine")) {
                    return new YamlConfigLoader.Y(item.file(), t.getValueNode(), item.path() + ".engine");
                }
            }
        }
        return item;
    }

    private static EngineConfig section(YamlConfigLoader.Y y) {
        Map<String, YamlConfigLoader.Y> m = y.mapping(Set.of("interfaces", "workers", "gateway", "nftables", "nft_table", "marks"));
        YamlConfigLoader.Y list = m.get("interfaces");
        if (list == null) {
            y.fail("the packet engine needs 'interfaces' (a list of name and role: client, server or both)");
        }
        List<EngineConfig.Interface> interfaces = new ArrayList<>();
        for (YamlConfigLoader.Y i : list.sequence()) {
            if (i.node() instanceof ScalarNode) { // a bare name: the interface faces clients and servers alike
                String name = i.string();
                interfaces.add(i.build(() -> new EngineConfig.Interface(name, EngineConfig.Role.BOTH)));
                continue;
            }
            Map<String, YamlConfigLoader.Y> im = i.mapping(Set.of("name", "role"));
            if (!im.containsKey("name") || !im.containsKey("role")) {
                i.fail("an interface needs 'name' and 'role' (client, server or both)");
            }
            String name = im.get("name").string();
            EngineConfig.Role role = im.get("role").convert(PacketSectionParser::role);
            interfaces.add(i.build(() -> new EngineConfig.Interface(name, role)));
        }
        int workers = m.containsKey("workers") ? m.get("workers").integer(1, 64) : 1;
        int gateway = m.containsKey("gateway") ? m.get("gateway").convert(Addresses::parseIpv4) : 0;
        boolean nft = !m.containsKey("nftables") || m.get("nftables").bool();
        String table = m.containsKey("nft_table") ? m.get("nft_table").string() : EngineConfig.DEFAULT_NFT_TABLE;
        if (!nft && m.containsKey("nft_table")) {
            m.get("nft_table").fail("nft_table is for nftables: true");
        }
        String nftTable = nft ? table : null;
        List<MarkRule> marks = m.containsKey("marks") ? marks(m.get("marks")) : List.of();
        return (m.containsKey("nft_table") ? m.get("nft_table") : y).build(() -> EngineConfig.of(interfaces)
                .withWorkers(workers).withGateway(gateway).withNftTable(nftTable).withMarks(marks));
    }

    /** {@code marks:}: each item a mark, an address, optionally a protocol and ports ("80,443,8000-8100"). */
    private static List<MarkRule> marks(YamlConfigLoader.Y list) {
        List<MarkRule> rules = new ArrayList<>();
        for (YamlConfigLoader.Y i : list.sequence()) {
            Map<String, YamlConfigLoader.Y> im = i.mapping(Set.of("mark", "protocol", "address", "ports"));
            if (!im.containsKey("mark") || !im.containsKey("address")) {
                i.fail("a mark rule needs 'mark' and 'address' (and optionally 'protocol': tcp or udp, and 'ports')");
            }
            int mark = im.get("mark").integer(1, Integer.MAX_VALUE);
            int address = im.get("address").convert(Addresses::parseIpv4);
            int protocol = im.containsKey("protocol") ? im.get("protocol").convert(PacketSectionParser::protocol) : 0;
            YamlConfigLoader.Y portsNode = im.get("ports");
            List<int[]> ranges = portsNode == null ? List.of(new int[] {0, 65535})
                    : portsNode.convert(PacketSectionParser::portRanges);
            for (int[] r : ranges) {
                rules.add((portsNode != null ? portsNode : i).build(() -> new MarkRule(mark, protocol, address, r[0], r[1])));
            }
        }
        return rules;
    }

    private static int protocol(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "tcp" -> 6;
            case "udp" -> 17;
            default -> throw new IllegalArgumentException("unknown protocol '" + s + "' (tcp or udp; leave it out for both)");
        };
    }

    /** "80", "80,443", "8000-8100,9000": ranges, each low..high within 1..65535. */
    static List<int[]> portRanges(String s) {
        List<int[]> out = new ArrayList<>();
        for (String part : s.split(",")) {
            String p = part.strip();
            int dash = p.indexOf('-');
            int lo;
            int hi;
            try {
                lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).strip());
                hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' is not a port or a range of ports (80, 8000-8100)");
            }
            if (lo < 1 || hi > 65535 || lo > hi) {
                throw new IllegalArgumentException("ports '" + p + "': 1 to 65535, the lower first");
            }
            out.add(new int[] {lo, hi});
        }
        return out;
    }

    private static EngineConfig.Role role(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "client" -> EngineConfig.Role.CLIENT;
            case "server" -> EngineConfig.Role.SERVER;
            case "both" -> EngineConfig.Role.BOTH;
            default -> throw new IllegalArgumentException("unknown role '" + s + "' (client, server or both)");
        };
    }

    /** For files without sections (ipvsadm rules): no service may ask for the packet engine. */
    static void check(Path file, List<DirectorConfig.Service> services) {
        for (int i = 0; i < services.size(); i++) {
            DirectorConfig.Service s = services.get(i);
            if (s.spec().engine() == Engine.PACKET) {
                throw new ConfigFileException(file, s.line(), 0, "", "--engine packet: an ipvsadm rules file has no "
                        + "'packet:' section; write the configuration in YAML to use the packet engine (see docs/packet.md)");
            }
        }
    }
}
