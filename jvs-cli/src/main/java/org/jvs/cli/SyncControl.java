package org.jvs.cli;

import org.jvs.core.model.ConfigException;

/**
 * The director's connection sync daemons as {@code --start-daemon}, {@code --stop-daemon} and
 * {@code -L --daemon} see them. The library runs no daemon itself; {@link #NONE} is the answer where nothing
 * does (an in-process balancer without a director).
 */
public interface SyncControl {

    /** Starts a daemon; a {@link ConfigException} says why it cannot (one already runs, no such interface). */
    void start(IpvsadmCommand.StartDaemon c);

    /** Stops a daemon; a {@link ConfigException} when none of that state runs. */
    void stop(IpvsadmCommand.StopDaemon c);

    /** ipvsadm's lines, master first ("" when none runs). */
    String listing();

    /** The same as JSON: {@code {"daemons": [...]}}. */
    String json();

    SyncControl NONE = new SyncControl() {
        @Override
        public void start(IpvsadmCommand.StartDaemon c) {
            throw new ConfigException("connection sync daemons run in a director (bin/jvs director), not in this process");
        }

        @Override
        public void stop(IpvsadmCommand.StopDaemon c) {
            throw new ConfigException("no " + c.state() + " sync daemon is running");
        }

        @Override
        public String listing() {
            return "";
        }

        @Override
        public String json() {
            return JsonFormat.daemons();
        }
    };
}
