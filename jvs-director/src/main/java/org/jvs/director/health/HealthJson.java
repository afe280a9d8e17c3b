package org.jvs.director.health;

import org.jvs.director.api.Json;
import org.jvs.health.DestStatus;
import org.jvs.health.HealthEvent;
import org.jvs.health.ServiceStatus;

/** {@code GET /v1/health}: every watched service and real server, and the recent state changes. */
public final class HealthJson {
    private HealthJson() {
    }

    public static String of(DirectorHealth h) {
        StringBuilder sb = new StringBuilder("{\"services\":[");
        String sep = "";
        for (ServiceStatus s : h.services()) {
            sb.append(sep).append("{\"service\":").append(Json.quote(s.key().toString()))
                    .append(",\"quorumUp\":").append(s.quorumUp())
                    .append(",\"liveWeight\":").append(s.liveWeight())
                    .append(",\"quorum\":").append(s.quorum())
                    .append(",\"hysteresis\":").append(s.hysteresis())
                    .append(",\"sorryServer\":").append(s.sorryServer() == null ? "null" : Json.quote(s.sorryServer().label()))
                    .append(",\"sorryActive\":").append(s.sorryActive()).append('}');
            sep = ",";
        }
        sb.append("],\"dests\":[");
        sep = "";
        for (DestStatus d : h.dests()) {
            sb.append(sep).append("{\"service\":").append(Json.quote(d.service().toString()))
                    .append(",\"address\":").append(Json.quote(d.spec().address().toString()))
                    .append(",\"port\":").append(d.spec().port())
                    .append(",\"check\":").append(Json.quote(d.check()))
                    .append(",\"state\":").append(Json.quote(d.state()))
                    .append(",\"inService\":").append(d.present())
                    .append(",\"factor\":").append(d.factor())
                    .append(",\"configuredWeight\":").append(d.spec().weight())
                    .append(",\"reason\":").append(Json.quote(d.reason()))
                    .append(",\"lastCheckAgoMs\":").append(d.lastAgoMillis())
                    .append(",\"lastCheckDurationUs\":").append(d.lastDurationMicros())
                    .append(",\"sinceMs\":").append(d.sinceMillis())
                    .append(",\"failures\":").append(d.failures())
                    .append(",\"successes\":").append(d.successes()).append('}');
            sep = ",";
        }
        sb.append("],\"events\":[");
        sep = "";
        for (HealthEvent e : h.recentEvents()) {
            sb.append(sep).append(e.json());
            sep = ",";
        }
        return sb.append("]}").toString();
    }
}
