package org.jvs.feedback;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.DefaultCounterListener;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * Reads a real server's figures from its net-snmp agent (v2c or v3 USM) through one SNMP4J session shared by
 * every server: one UDP socket and one listener thread for the whole monitor, whatever the pool size. Each
 * call is bounded by the collector's timeout × (retries + 1) per request.
 *
 * <p>MIB objects read (all standard in net-snmp's default build): UCD-SNMP-MIB laLoadInt.1 (1-minute load
 * × 100), dskPercent (column of the disks {@code snmpd.conf} watches with {@code disk}), memTotalReal and
 * memAvailReal; HOST-RESOURCES-MIB hrSystemProcesses and hrProcessorLoad (one row per CPU: the row count is
 * the CPU count that normalises the load average).
 */
public final class SnmpCollector implements AutoCloseable {
    static final OID LA_LOAD_INT_1 = new OID("1.3.6.1.4.1.2021.10.1.5.1");
    static final OID MEM_TOTAL_REAL = new OID("1.3.6.1.4.1.2021.4.5.0");
    static final OID MEM_AVAIL_REAL = new OID("1.3.6.1.4.1.2021.4.6.0");
    static final OID HR_SYSTEM_PROCESSES = new OID("1.3.6.1.2.1.25.1.6.0");
    static final OID DSK_PERCENT = new OID("1.3.6.1.4.1.2021.9.1.9");
    static final OID HR_PROCESSOR_FRW_ID = new OID("1.3.6.1.2.1.25.3.3.1.1");
    static final OID HR_PROCESSOR_LOAD = new OID("1.3.6.1.2.1.25.3.3.1.2");
    private static final int MAX_ROWS = 1024;

    private final Snmp snmp;
    private final USM usm;
    private final Map<String, OctetString> engineIds = new ConcurrentHashMap<>();

    public SnmpCollector() throws IOException {
        // Own dispatcher, security models and protocols instead of SNMP4J's process-wide singletons, so two
        // monitors (or tests) in one JVM never share USM users.
        SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.maxCompatibility);
        protocols.addAuthenticationProtocol(new AuthMD5());
        protocols.addAuthenticationProtocol(new AuthSHA());
        protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
        protocols.addAuthenticationProtocol(new AuthHMAC384SHA512());
        protocols.addPrivacyProtocol(new PrivAES128());
        protocols.addPrivacyProtocol(new PrivDES());
        OctetString localEngine = new OctetString(MPv3.createLocalEngineID());
        CounterSupport counters = new CounterSupport();
        counters.addCounterListener(new DefaultCounterListener());
        usm = new USM(protocols, localEngine, 0, counters);
        SecurityModels models = new SecurityModels();
        models.addSecurityModel(usm);
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        dispatcher.addMessageProcessingModel(new MPv3(localEngine.getValue(), null, protocols, models, counters));
        snmp = new Snmp(dispatcher, new DefaultUdpTransportMapping());
        snmp.listen();
    }

    /** One reading of the server at {@code host} (the spec's host when it names one). */
    public Sample collect(CollectorSpec spec, String host) throws CollectorException {
        UdpAddress address = address(spec.host() != null ? spec.host() : host, spec.port());
        Target<UdpAddress> target = switch (spec) {
            case CollectorSpec.SnmpV2c c -> v2c(c, address);
            case CollectorSpec.SnmpV3 c -> v3(c, address);
            case CollectorSpec.Agent a -> throw new IllegalArgumentException("not an SNMP collector: " + a);
        };
        String where = "snmp " + (spec instanceof CollectorSpec.SnmpV3 ? "v3" : "v2c") + " " + address;
        List<VariableBinding> scalars = request(target, PDU.GET, where,
                List.of(LA_LOAD_INT_1, MEM_TOTAL_REAL, MEM_AVAIL_REAL, HR_SYSTEM_PROCESSES), 0);
        List<Long> disks = integers(column(target, DSK_PERCENT, where));
        // hrProcessorLoad stays empty for the agent's first minute (it averages over one), but the rows are
        // there from the start: count them by another column.
        int cpus = column(target, HR_PROCESSOR_FRW_ID, where).size();
        List<Long> cpuLoad = integers(column(target, HR_PROCESSOR_LOAD, where));
        double load = number(scalars, LA_LOAD_INT_1);
        Sample s = new Sample(
                Double.isNaN(load) ? Double.NaN : load / 100.0,
                cpus,
                disks.isEmpty() ? Double.NaN : java.util.Collections.max(disks),
                count(scalars, MEM_TOTAL_REAL),
                count(scalars, MEM_AVAIL_REAL),
                count(scalars, HR_SYSTEM_PROCESSES),
                cpuLoad.stream().mapToLong(Long::longValue).average().orElse(Double.NaN));
        if (s.empty()) {
            throw new CollectorException(where + " answered but reports none of laLoad, dskPercent, memTotalReal/memAvailReal, "
                    + "hrSystemProcesses (is the agent's view restricted? see docs/feedback.md for the snmpd.conf lines)");
        }
        return s;
    }

    private static UdpAddress address(String host, int port) throws CollectorException {
        try {
            return new UdpAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new CollectorException("snmp: unknown host '" + host + "'");
        }
    }

    private static Target<UdpAddress> v2c(CollectorSpec.SnmpV2c c, UdpAddress address) {
        CommunityTarget<UdpAddress> t = new CommunityTarget<>(address, new OctetString(c.community()));
        t.setVersion(SnmpConstants.version2c);
        t.setTimeout(c.timeout().toMillis());
        t.setRetries(c.retries());
        return t;
    }

    private Target<UdpAddress> v3(CollectorSpec.SnmpV3 c, UdpAddress address) throws CollectorException {
        OctetString user = new OctetString(c.user());
        OctetString engine = engineIds.get(address.toString());
        if (engine == null) {
            // USM keys are localised to the agent's engine ID: learn it once per agent (RFC 3414 discovery).
            byte[] id = snmp.discoverAuthoritativeEngineID(address, c.timeout().toMillis() * (c.retries() + 1));
            if (id == null || id.length == 0) {
                throw new CollectorException("snmp v3 " + address + ": no answer to engine ID discovery within "
                        + c.timeout().toMillis() + " ms × " + (c.retries() + 1) + " tries");
            }
            engine = new OctetString(id);
            engineIds.put(address.toString(), engine);
        }
        OID auth = switch (c.auth()) {
            case NONE -> null;
            case MD5 -> AuthMD5.ID;
            case SHA -> AuthSHA.ID;
            case SHA256 -> AuthHMAC192SHA256.ID;
            case SHA512 -> AuthHMAC384SHA512.ID;
        };
        OID priv = switch (c.priv()) {
            case NONE -> null;
            case AES -> PrivAES128.ID;
            case DES -> PrivDES.ID;
        };
        usm.addUser(user, engine, new UsmUser(user, auth, auth == null ? null : new OctetString(c.authPassword()),
                priv, priv == null ? null : new OctetString(c.privPassword())));
        UserTarget<UdpAddress> t = new UserTarget<>(address, user, engine.getValue(),
                priv != null ? SecurityLevel.AUTH_PRIV : auth != null ? SecurityLevel.AUTH_NOPRIV : SecurityLevel.NOAUTH_NOPRIV);
        t.setTimeout(c.timeout().toMillis());
        t.setRetries(c.retries());
        return t;
    }

    private List<VariableBinding> request(Target<UdpAddress> target, int type, String where, List<OID> oids, int repetitions)
            throws CollectorException {
        PDU pdu = target instanceof UserTarget<?> ? new ScopedPDU() : new PDU();
        pdu.setType(type);
        for (OID o : oids) {
            pdu.add(new VariableBinding(o));
        }
        if (type == PDU.GETBULK) {
            pdu.setNonRepeaters(0);
            pdu.setMaxRepetitions(repetitions);
        }
        ResponseEvent<UdpAddress> ev;
        try {
            ev = snmp.send(pdu, target);
        } catch (IOException e) {
            throw new CollectorException(where + ": " + e.getMessage(), e);
        }
        PDU r = ev == null ? null : ev.getResponse();
        if (r == null) {
            // Agents drop requests with a wrong community silently, and SNMP4J drops the unauthenticated reports
            // net-snmp sends for a wrong v3 password: both look like silence, so say so.
            String hint = target instanceof CommunityTarget<?> ? " (down, filtered, or a wrong community: v2c agents drop those silently)"
                    : " (down, filtered, or credentials the agent refused: unknown user or wrong password)";
            throw new CollectorException(where + ": no answer within " + target.getTimeout() + " ms × " + (target.getRetries() + 1)
                    + " tries" + hint + (ev != null && ev.getError() != null ? ": " + ev.getError().getMessage() : ""));
        }
        if (r.getType() == PDU.REPORT) {
            // A USM report: the agent refused our credentials (unknown user, wrong digest, unsupported level...).
            String oid = r.size() > 0 ? r.get(0).getOid().toDottedString() : "?";
            throw new CollectorException(where + ": agent refused the request (" + usmReport(oid) + ")");
        }
        if (r.getErrorStatus() != PDU.noError) {
            throw new CollectorException(where + ": error " + r.getErrorStatusText() + " at item " + r.getErrorIndex());
        }
        return new ArrayList<>(r.getVariableBindings());
    }

    private static String usmReport(String oid) {
        return switch (oid) {
            case "1.3.6.1.6.3.15.1.1.3.0" -> "unknown user name";
            case "1.3.6.1.6.3.15.1.1.5.0" -> "wrong authentication password (usmStatsWrongDigests)";
            case "1.3.6.1.6.3.15.1.1.6.0" -> "decryption failed: wrong privacy password (usmStatsDecryptionErrors)";
            case "1.3.6.1.6.3.15.1.1.1.0" -> "security level not supported for this user (usmStatsUnsupportedSecLevels)";
            case "1.3.6.1.6.3.15.1.1.2.0" -> "not in time window (usmStatsNotInTimeWindows)";
            default -> "report " + oid;
        };
    }

    private static List<Long> integers(List<Variable> vs) {
        return vs.stream().filter(v -> v instanceof Integer32 || v instanceof UnsignedInteger32).map(Variable::toLong).toList();
    }

    /** The values of a table column, walked with GETBULK; empty when the agent has no such rows. */
    private List<Variable> column(Target<UdpAddress> target, OID column, String where) throws CollectorException {
        List<Variable> out = new ArrayList<>();
        OID next = column;
        while (out.size() < MAX_ROWS) {
            List<VariableBinding> vbs = request(target, PDU.GETBULK, where, List.of(next), 32);
            if (vbs.isEmpty()) {
                return out;
            }
            for (VariableBinding vb : vbs) {
                if (!vb.getOid().startsWith(column) || vb.getVariable().isException()) {
                    return out;
                }
                out.add(vb.getVariable());
                next = vb.getOid();
            }
        }
        return out;
    }

    private static double number(List<VariableBinding> vbs, OID oid) {
        for (VariableBinding vb : vbs) {
            Variable v = vb.getVariable();
            // Gauge32 and Counter32 are UnsignedInteger32s; anything else (noSuchObject, a string) is no figure.
            if (vb.getOid().equals(oid) && (v instanceof Integer32 || v instanceof UnsignedInteger32)) {
                return v.toLong();
            }
        }
        return Double.NaN;
    }

    private static long count(List<VariableBinding> vbs, OID oid) {
        double v = number(vbs, oid);
        return Double.isNaN(v) ? -1 : (long) v;
    }

    @Override
    public void close() {
        try {
            snmp.close();
        } catch (IOException e) {
            // Closing a UDP socket: nothing left to do about a failure.
        }
    }
}
