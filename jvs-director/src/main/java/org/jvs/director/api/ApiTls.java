package org.jvs.director.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jvs.proxy.http.ServerTls;

/**
 * The HTTPS API's certificate: loaded from the configured PEM files with the http engine's loader (the same
 * rules and error messages), or, with none configured, a self-signed one the director makes on its first
 * start and keeps in its state directory, so clients can pin its fingerprint across restarts.
 *
 * @param source      the certificate file it came from
 * @param fingerprint SHA-256 of the certificate (DER), as {@code openssl x509 -fingerprint -sha256} prints it
 * @param filesHash   SHA-256 over the certificate and key files: a reload that changed neither keeps this one
 */
public record ApiTls(SSLContext context, Path source, String subject, String notAfter, String fingerprint, String filesHash) {
    /** File names of the generated pair inside the state directory. */
    public static final String SELF_SIGNED_CERT = "jvs-api.crt";
    public static final String SELF_SIGNED_KEY = "jvs-api.key";
    private static final Duration SELF_SIGNED_LIFE = Duration.ofDays(5 * 365);

    /** Reads the pair; an {@link IllegalArgumentException} says which file is wrong and how. */
    public static ApiTls load(Path certificate, Path key) {
        ServerTls tls = ServerTls.load(certificate, key);
        SSLContext ctx = ((io.netty.handler.ssl.JdkSslContext) tls.context()).context();
        X509Certificate first = firstCertificate(certificate);
        return new ApiTls(ctx, certificate, tls.subject(), tls.notAfter(), fingerprint(first), tls.fingerprint());
    }

    /** Whether {@code dir} already holds a generated pair. */
    public static boolean selfSignedExists(Path dir) {
        return Files.exists(dir.resolve(SELF_SIGNED_CERT)) && Files.exists(dir.resolve(SELF_SIGNED_KEY));
    }

    /**
     * The generated pair in {@code dir}, made now if it is not there: an EC P-256 key (file mode 0600) and a
     * certificate for {@code names} (host names and addresses, all in subjectAltName) valid five years.
     */
    public static ApiTls selfSigned(Path dir, List<String> names) throws IOException {
        if (!selfSignedExists(dir)) {
            generate(dir, names);
        }
        return load(dir.resolve(SELF_SIGNED_CERT), dir.resolve(SELF_SIGNED_KEY));
    }

    private static void generate(Path dir, List<String> names) throws IOException {
        Files.createDirectories(dir);
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + names.getFirst() + ",O=JVS director");
            var b = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(SELF_SIGNED_LIFE)), subject, pair.getPublic());
            List<GeneralName> alt = new ArrayList<>();
            for (String n : names) {
                alt.add(isAddress(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(GeneralName[]::new)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509CertificateHolder cert = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            Path key = dir.resolve(SELF_SIGNED_KEY);
            Files.deleteIfExists(key);
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(dir.resolve(SELF_SIGNED_CERT), pem("CERTIFICATE", cert.getEncoded()));
        } catch (java.security.GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a self-signed certificate in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isAddress(String n) {
        return n.indexOf(':') >= 0 || n.matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    }

    /**
     * The names a self-signed certificate should carry for a listener on {@code host}: the host name,
     * {@code localhost}, loopback, and the listen address, or for a wildcard every address of the host at the
     * first start (a host that gets new addresses later wants a certificate of its own, or a new pair).
     */
    public static List<String> namesFor(InetAddress listen) {
        List<String> names = new ArrayList<>();
        try {
            String h = InetAddress.getLocalHost().getHostName();
            if (!h.isBlank()) {
                names.add(h);
            }
        } catch (IOException e) {
            // no resolvable host name: the literal names below still work
        }
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        if (!listen.isAnyLocalAddress()) {
            String literal = listen.getHostAddress();
            if (!names.contains(literal)) {
                names.add(literal);
            }
            return names;
        }
        // A wildcard listener answers on every address the host has now: name them all, so that a client
        // connecting to any of them by address can check the certificate.
        boolean v6 = listen instanceof java.net.Inet6Address;
        try {
            for (var ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                for (var a : java.util.Collections.list(ni.getInetAddresses())) {
                    if (a.isLinkLocalAddress() || (!v6 && a instanceof java.net.Inet6Address)) {
                        continue; // link-local carries a scope no client names the host by
                    }
                    String literal = a.getHostAddress().replaceAll("%.*$", "");
                    if (!names.contains(literal)) {
                        names.add(literal);
                    }
                }
            }
        } catch (java.net.SocketException e) {
            // no interface list: the names above still work
        }
        return names;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static X509Certificate firstCertificate(Path p) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(p))).iterator().next();
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("tls certificate " + p + ": " + e.getMessage());
        }
    }

    private static String fingerprint(X509Certificate c) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(h);
        } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return subject + " until " + notAfter + ", SHA-256 fingerprint " + fingerprint;
    }
}
