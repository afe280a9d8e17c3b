package org.jvs.director;

import java.util.List;
import org.jvs.cli.CommandExecutor;
import org.jvs.cli.IpvsadmCommand;
import org.jvs.cli.UsageException;
import org.jvs.core.model.ConfigException;
import org.jvs.core.model.Engine;
import org.jvs.core.model.ServiceSpec;
import org.jvs.director.config.ConfigFileException;
import org.jvs.director.config.DirectorConfig;

/**
 * Refuses packet-engine services on a director that runs no packet engine. The engine starts only from a
 * {@code packet:} section present when the director starts; without one, a service added later with
 * {@code engine: packet} (jvsadm, the API, a reload) would sit in the table with nothing carrying its traffic:
 * the socket engine leaves it alone and no frame is ever forwarded. Saying so at once beats a silent black hole.
 */
final class EngineCheck {
    static final String NO_PACKET_ENGINE = "this director runs without the packet engine (its configuration had no "
            + "'packet:' section when it started): add one and restart the director (see docs/packet.md)";

    private EngineCheck() {
    }

    /** Throws {@link ConfigException} when {@code cmd} would create or switch a service to the packet engine. */
    static void check(IpvsadmCommand cmd, boolean packetEngine) {
        switch (cmd) {
            case IpvsadmCommand.AddService a -> checkHttp(a.spec());
            case IpvsadmCommand.EditService e -> checkHttp(e.spec());
            default -> {
            }
        }
        if (packetEngine) {
            return;
        }
        switch (cmd) {
            case IpvsadmCommand.AddService a -> refuse(a.spec());
            case IpvsadmCommand.EditService e -> {
                if (e.engineGiven()) {
                    refuse(e.spec());
                }
            }
            case IpvsadmCommand.Restore r when r.input() != null -> checkRestore(r.input());
            default -> {
            }
        }
    }

    /** A restore is checked in full before any line runs, so a refused restore changes nothing. */
    private static void checkRestore(String input) {
        List<CommandExecutor.RuleLine> lines;
        try {
            lines = CommandExecutor.parseRules(input);
        } catch (UsageException e) {
            return; // the restore itself reports it, with its line number
        }
        for (CommandExecutor.RuleLine l : lines) {
            try {
                check(l.cmd(), false);
            } catch (ConfigException e) {
                throw new ConfigException("line " + l.number() + ": " + e.getMessage());
            }
        }
    }

    /**
     * An http service takes a layer-7 scheduler name (the core keeps any name for it); the content
     * schedulers need rules, which only the configuration file can give.
     */
    private static void checkHttp(ServiceSpec spec) {
        if (spec.engine() != Engine.HTTP) {
            return;
        }
        try {
            org.jvs.director.config.HttpSettings.checkScheduler(spec.scheduler(), false);
        } catch (ConfigException e) {
            throw new ConfigException("--engine http for " + spec.key() + ": " + e.getMessage());
        }
    }

    /**
     * {@code -E} without {@code --engine} keeps a service's engine, so an http service edited so must get a
     * layer-7 scheduler too: the core would take any name, and the engine could then not follow the change.
     */
    static void checkHttpEdit(IpvsadmCommand cmd, java.util.function.Function<org.jvs.core.model.ServiceKey, Engine> engineOf,
                              java.util.function.Predicate<org.jvs.core.model.ServiceKey> hasRules) {
        if (cmd instanceof IpvsadmCommand.EditService e && !e.engineGiven() && engineOf.apply(e.spec().key()) == Engine.HTTP) {
            try {
                org.jvs.director.config.HttpSettings.checkScheduler(e.spec().scheduler(), hasRules.test(e.spec().key()));
            } catch (ConfigException ex) {
                throw new ConfigException("http service " + e.spec().key() + ": " + ex.getMessage());
            }
        }
    }

    private static void refuse(ServiceSpec spec) {
        if (spec.engine() == Engine.PACKET) {
            throw new ConfigException("--engine packet for " + spec.key() + ": " + NO_PACKET_ENGINE);
        }
    }

    /** For a reload: the first packet-engine service of the file, refused with its position. */
    static void check(DirectorConfig config, boolean packetEngine) {
        if (packetEngine) {
            return;
        }
        for (int i = 0; i < config.services().size(); i++) {
            DirectorConfig.Service s = config.services().get(i);
            if (s.spec().engine() == Engine.PACKET) {
                throw new ConfigFileException(config.source(), s.line(), 0, "services[" + i + "].engine", NO_PACKET_ENGINE);
            }
        }
    }
}
