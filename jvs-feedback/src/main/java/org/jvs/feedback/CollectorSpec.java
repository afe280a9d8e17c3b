package org.jvs.feedback;

import java.time.Duration;
import java.util.Locale;
import org.jvs.core.model.ConfigException;

/**
 * Where a real server's figures come from. {@code host} null means the real server's own address.
 */
public sealed interface CollectorSpec {
    int SNMP_PORT = 161;
    int AGENT_PORT = 4747;

    String host();

    int port();

    Duration timeout();

    /** The same collector aimed at another host (a per-server override naming none keeps the dest's). */
    CollectorSpec withHost(String host);

    /** SNMP v2c with a community string. */
    record SnmpV2c(String host, int port, String community, Duration timeout, int retries) implements CollectorSpec {
        public SnmpV2c {
            checkCommon(port, timeout, retries);
            if (community == null || community.isEmpty()) {
                throw new ConfigException("snmp v2c needs a community");
            }
        }

        @Override
        public CollectorSpec withHost(String h) {
            return new SnmpV2c(h, port, community, timeout, retries);
        }
    }

    /** SNMP v3 USM: authPriv when both passwords are given, authNoPriv with only the first, noAuthNoPriv with none. */
    record SnmpV3(String host, int port, String user, AuthProtocol auth, String authPassword, PrivProtocol priv,
                  String privPassword, Duration timeout, int retries) implements CollectorSpec {
        public SnmpV3 {
            checkCommon(port, timeout, retries);
            if (user == null || user.isEmpty()) {
                throw new ConfigException("snmp v3 needs a user");
            }
            if (auth != AuthProtocol.NONE && (authPassword == null || authPassword.length() < 8)) {
                throw new ConfigException("snmp v3 auth_password must have at least 8 characters (USM, RFC 3414)");
            }
            if (priv != PrivProtocol.NONE) {
                if (auth == AuthProtocol.NONE) {
                    throw new ConfigException("snmp v3 privacy (priv: " + priv + ") needs authentication (auth: SHA or MD5)");
                }
                if (privPassword == null || privPassword.length() < 8) {
                    throw new ConfigException("snmp v3 priv_password must have at least 8 characters (USM, RFC 3414)");
                }
            }
        }

        @Override
        public CollectorSpec withHost(String h) {
            return new SnmpV3(h, port, user, auth, authPassword, priv, privPassword, timeout, retries);
        }
    }

    /** JVS' light agent ({@code bin/jvs agent}), line protocol over TCP. */
    record Agent(String host, int port, Duration timeout) implements CollectorSpec {
        public Agent {
            checkCommon(port, timeout, 0);
        }

        @Override
        public CollectorSpec withHost(String h) {
            return new Agent(h, port, timeout);
        }
    }

    enum AuthProtocol {
        NONE, MD5, SHA, SHA256, SHA512;

        public static AuthProtocol byName(String s) {
            return switch (s.strip().toUpperCase(Locale.ROOT).replace("-", "")) {
                case "NONE" -> NONE;
                case "MD5" -> MD5;
                case "SHA", "SHA1" -> SHA;
                case "SHA256" -> SHA256;
                case "SHA512" -> SHA512;
                default -> throw new ConfigException("unknown SNMP auth protocol '" + s + "' (SHA, SHA256, SHA512, MD5, none)");
            };
        }
    }

    enum PrivProtocol {
        NONE, AES, DES;

        public static PrivProtocol byName(String s) {
            return switch (s.strip().toUpperCase(Locale.ROOT)) {
                case "NONE" -> NONE;
                case "AES", "AES128" -> AES;
                case "DES" -> DES;
                default -> throw new ConfigException("unknown SNMP privacy protocol '" + s + "' (AES, DES, none)");
            };
        }
    }

    private static void checkCommon(int port, Duration timeout, int retries) {
        if (port < 1 || port > 65535) {
            throw new ConfigException("collector port " + port + " out of range 1..65535");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new ConfigException("collector timeout must be between 1ms and 10s, got " + timeout);
        }
        if (retries < 0 || retries > 5) {
            throw new ConfigException("collector retries " + retries + " out of range 0..5");
        }
    }

    static CollectorSpec defaultSnmp() {
        return new SnmpV2c(null, SNMP_PORT, "public", Duration.ofSeconds(1), 1);
    }
}
