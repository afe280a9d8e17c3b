package org.jvs.sync;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jvs.core.LoadBalancer;

/**
 * The director's sync daemons: at most one master and one backup, started from the {@code sync:} section, a
 * reload, or {@code jvsadm --start-daemon} / {@code --stop-daemon}. A reload restarts only a daemon whose
 * settings changed; one that did not keeps its socket and counters.
 */
public final class SyncDaemons implements AutoCloseable {
    private final LoadBalancer lb;
    private SyncConfig config = SyncConfig.NONE;
    private SyncMaster master;
    private SyncBackup backup;

    public SyncDaemons(LoadBalancer lb) {
        this.lb = lb;
    }

    /**
     * Makes the running daemons what {@code next} says. All or nothing per daemon: a daemon that cannot start
     * (no such interface) throws, and the ones already adjusted stay as they now are.
     */
    public synchronized void apply(SyncConfig next) throws IOException {
        SyncConfig.Daemon m = next.daemon(SyncConfig.Role.MASTER);
        boolean masterSame = master != null && m != null && master.daemon().equals(m) && master.version() == next.version()
                && master.threshold() == next.threshold() && master.period() == next.period();
        if (!masterSame) {
            if (master != null) {
                master.close();
                master = null;
            }
            if (m != null) {
                master = SyncMaster.start(lb, m, next.version(), next.threshold(), next.period());
            }
        }
        SyncConfig.Daemon b = next.daemon(SyncConfig.Role.BACKUP);
        if (backup == null || b == null || !backup.daemon().equals(b)) {
            if (backup != null) {
                backup.close();
                backup = null;
            }
            if (b != null) {
                backup = SyncBackup.start(lb, b);
            }
        }
        config = next;
    }

    /** {@code --start-daemon}: refused, as by IPVS, when a daemon of that state already runs. */
    public synchronized void start(SyncConfig.Daemon d) throws IOException {
        if (config.daemon(d.state()) != null) {
            throw new IllegalStateException("a " + d.state().label() + " sync daemon is already running (stop it first: --stop-daemon " + d.state().label() + ")");
        }
        List<SyncConfig.Daemon> ds = new ArrayList<>(config.daemons());
        ds.add(d);
        apply(config.withDaemons(ds));
    }

    /** {@code --stop-daemon}: refused when no daemon of that state runs. */
    public synchronized void stop(SyncConfig.Role r) throws IOException {
        if (config.daemon(r) == null) {
            throw new IllegalStateException("no " + r.label() + " sync daemon is running");
        }
        apply(config.withDaemons(config.daemons().stream().filter(d -> d.state() != r).toList()));
    }

    public synchronized SyncConfig config() {
        return config;
    }

    public synchronized SyncMaster master() {
        return master;
    }

    public synchronized SyncBackup backup() {
        return backup;
    }

    /** What {@code ipvsadm -L --daemon} prints: master first, then backup; nothing when none runs. */
    public synchronized String listing() {
        StringBuilder sb = new StringBuilder();
        if (master != null) {
            sb.append(master.describe()).append('\n');
        }
        if (backup != null) {
            sb.append(backup.describe()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public synchronized void close() {
        if (master != null) {
            master.close();
            master = null;
        }
        if (backup != null) {
            backup.close();
            backup = null;
        }
        config = SyncConfig.NONE;
    }
}
