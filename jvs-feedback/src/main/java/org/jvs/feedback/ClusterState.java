package org.jvs.feedback;

/** What the feedback weights say about a service's whole server pool (thesis 4.2.4). */
public enum ClusterState {
    /** No round yet, or no server the feedback adjusts. */
    UNKNOWN("no figures yet"),
    NORMAL("normal"),
    /** Every weight below its default: the servers cannot keep up; add servers. */
    OVERLOADED("cluster overloaded: every server's weight is below its default; add servers"),
    /** Every weight near SCALE·default: the pool has room to spare; servers could be taken out. */
    LIGHTLY_LOADED("lightly loaded: every server's weight is near SCALE × its default; servers could be removed");

    private final String advice;

    ClusterState(String advice) {
        this.advice = advice;
    }

    public String advice() {
        return advice;
    }
}
