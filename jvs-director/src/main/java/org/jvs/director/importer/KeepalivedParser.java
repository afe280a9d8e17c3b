package org.jvs.director.importer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jvs.director.importer.KeepalivedTokenizer.Kind;
import org.jvs.director.importer.KeepalivedTokenizer.Token;

/**
 * Builds the statement tree of a keepalived configuration. A statement is a keyword and the words that follow
 * it on the same line; a {@code {} on that line (or alone on the next one) opens its block, which runs to the
 * matching {@code }}. Braces must balance, and every top-level keyword must be one keepalived knows: anything
 * else is an {@link ImportException} naming the line, as keepalived itself refuses it.
 */
final class KeepalivedParser {
    /** Top-level keywords of keepalived 2.2 (keepalived.conf(5)); those the importer translates are first. */
    static final Set<String> TOP_LEVEL = Set.of("global_defs", "vrrp_script", "vrrp_instance", "vrrp_sync_group",
            "virtual_server", "virtual_server_group", "SSL",
            "static_ipaddress", "static_routes", "static_rules", "linkbeat_interfaces", "static_track_group",
            "track_file", "vrrp_track_file", "vrrp_track_process", "bfd_instance", "garp_group", "net_namespace",
            "net_namespace_ipvs", "namespace_with_ipsets", "instance", "use_pid_dir", "child_wait_time",
            "linkbeat_use_polling", "vrrp_linkbeat_use_polling", "include_check");

    private final List<Token> tokens;
    private int pos;

    private KeepalivedParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Stmt> parse(Path file, Consumer<Message> messages) throws ImportException {
        return new KeepalivedParser(KeepalivedTokenizer.tokenize(file, messages)).top();
    }

    static List<Stmt> parse(String name, String text, Consumer<Message> messages) throws ImportException {
        return new KeepalivedParser(KeepalivedTokenizer.tokenize(name, text, messages)).top();
    }

    private List<Stmt> top() throws ImportException {
        List<Stmt> out = block(null);
        for (Stmt s : out) {
            if (!TOP_LEVEL.contains(s.keyword())) {
                throw ImportException.at(s.src(), "unknown keyword '" + s.keyword() + "'" + (s.hasBlock() ? " (a block keepalived does not know)" : "")
                        + ": not a keepalived top-level keyword");
            }
        }
        return out;
    }

    /** Statements up to the {@code }} closing the block opened at {@code opened} (null: up to the end). */
    private List<Stmt> block(Src opened) throws ImportException {
        List<Stmt> out = new ArrayList<>();
        while (true) {
            if (pos >= tokens.size()) {
                if (opened != null) {
                    throw ImportException.at(opened, "block opened here is never closed ('}' missing)");
                }
                return out;
            }
            Token t = tokens.get(pos++);
            switch (t.kind()) {
                case CLOSE -> {
                    if (opened == null) {
                        throw ImportException.at(t.src(), "'}' closes no block");
                    }
                    return out;
                }
                case OPEN -> {
                    // A '{' alone on its line opens the block of the statement just before.
                    Stmt last = out.isEmpty() ? null : out.getLast();
                    if (last == null || last.hasBlock()) {
                        throw ImportException.at(t.src(), "'{' without a keyword before it");
                    }
                    out.set(out.size() - 1, new Stmt(last.keyword(), last.args(), block(t.src()), last.src()));
                }
                case WORD -> {
                    List<String> args = new ArrayList<>();
                    while (pos < tokens.size() && tokens.get(pos).kind() == Kind.WORD && tokens.get(pos).src().seq() == t.src().seq()) {
                        args.add(tokens.get(pos++).text());
                    }
                    List<Stmt> children = null;
                    if (pos < tokens.size() && tokens.get(pos).kind() == Kind.OPEN && tokens.get(pos).src().seq() == t.src().seq()) {
                        Src at = tokens.get(pos++).src();
                        children = block(at);
                    }
                    out.add(new Stmt(t.text(), List.copyOf(args), children, t.src()));
                }
            }
        }
    }
}
