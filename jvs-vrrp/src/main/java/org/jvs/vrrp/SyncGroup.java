package org.jvs.vrrp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A {@code vrrp_sync_group}: instances that change state together, with keepalived's semantics. When a member
 * becomes MASTER the members in BACKUP become master too; when a member falls back to BACKUP the masters
 * follow; when a member goes to FAULT all do, and the group leaves FAULT (to BACKUP) only when no member has a
 * fault of its own. The group's own state (for its notify hooks) changes when all members agree.
 */
public final class SyncGroup {
    private final String name;
    private final List<VrrpInstance> members = new ArrayList<>();
    private final BiConsumer<SyncGroup, VrrpState> onGroupState;
    private boolean propagating;
    private VrrpState state = VrrpState.INIT;

    /** {@code onGroupState} is told when every member has reached the same new state. */
    public SyncGroup(String name, List<VrrpInstance> members, BiConsumer<SyncGroup, VrrpState> onGroupState) {
        this.name = name;
        this.onGroupState = onGroupState == null ? (g, s) -> { } : onGroupState;
        for (VrrpInstance m : members) {
            add(m);
        }
    }

    public void add(VrrpInstance m) {
        members.add(m);
        m.group(this);
    }

    public void remove(VrrpInstance m) {
        members.remove(m);
        m.group(null);
    }

    public String name() {
        return name;
    }

    public List<VrrpInstance> members() {
        return List.copyOf(members);
    }

    public VrrpState state() {
        return state;
    }

    boolean memberFaulted(VrrpInstance except) {
        return members.stream().anyMatch(m -> m != except && m.ownFault());
    }

    String faultText() {
        return "member " + members.stream().filter(VrrpInstance::ownFault).map(VrrpInstance::name).toList()
                + " in FAULT";
    }

    void memberChanged(VrrpInstance m, VrrpState from, VrrpState to, String reason) {
        if (!propagating) {
            propagating = true;
            try {
                String why = "sync group " + name + ": " + m.name() + " became " + to;
                for (VrrpInstance o : members) {
                    if (o == m) {
                        continue;
                    }
                    switch (to) {
                        case MASTER -> o.followMaster(why);
                        case BACKUP -> {
                            if (from == VrrpState.MASTER) {
                                o.followBackup(why);
                            }
                        }
                        case FAULT -> o.followFault(why);
                        default -> {
                        }
                    }
                }
            } finally {
                propagating = false;
            }
        }
        VrrpState common = members.getFirst().state();
        for (VrrpInstance o : members) {
            if (o.state() != common) {
                return;
            }
        }
        if (common != state) {
            state = common;
            onGroupState.accept(this, common);
        }
    }

    void faultCleared(VrrpInstance m) {
        if (memberFaulted(null)) {
            return;
        }
        for (VrrpInstance o : members) {
            if (o != m) {
                o.followFaultCleared("sync group " + name + ": fault cleared");
            }
        }
    }
}
