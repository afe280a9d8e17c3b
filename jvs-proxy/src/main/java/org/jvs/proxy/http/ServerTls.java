package org.jvs.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * TLS termination for an http service: a certificate chain and its private key from PEM files, served
 * with TLS 1.2 and 1.3 and ALPN {@code http/1.1}. Each client connection takes the context current when it
 * was accepted, so a reload that brings a new certificate ({@link HttpEngine#tls}) changes what new
 * connections get and drops none of those open.
 *
 * @param fingerprint SHA-256 over both files: the same bytes make the same context, so a reload that
 *                    changed neither file keeps it
 */
public record ServerTls(SslContext context, String subject, String notAfter, String fingerprint) {

    /** Reads and checks both files; the message says which one is wrong and how. */
    public static ServerTls load(Path certificate, Path key) {
        byte[] cert = read(certificate, "certificate");
        byte[] k = read(key, "key");
        X509Certificate first;
        try {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(cert));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("tls certificate " + certificate + " holds no certificate (PEM expected)");
            }
            first = (X509Certificate) certs.iterator().next();
        } catch (CertificateException e) {
            throw new IllegalArgumentException("tls certificate " + certificate + " is not a PEM certificate chain: " + e.getMessage());
        }
        String text = new String(k, java.nio.charset.StandardCharsets.US_ASCII);
        if (text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")) {
            throw new IllegalArgumentException("tls key " + key + " is in the old OpenSSL form; convert it to PKCS#8 with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in " + key + " -out " + key + ".pk8'");
        }
        SslContext ctx;
        try {
            ctx = SslContextBuilder.forServer(new ByteArrayInputStream(cert), new ByteArrayInputStream(k))
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls key " + key + " does not go with certificate " + certificate
                    + " or is not a PEM PKCS#8 key: " + e.getMessage());
        }
        return new ServerTls(ctx, first.getSubjectX500Principal().getName(), first.getNotAfter().toInstant().toString(),
                fingerprint(cert, k));
    }

    /** The SHA-256 of both files as they are now, to tell whether a reload brings anything new. */
    public static String fingerprint(Path certificate, Path key) {
        return fingerprint(read(certificate, "certificate"), read(key, "key"));
    }

    /** A handler for one new client connection. */
    SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    private static byte[] read(Path p, String what) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("tls " + what + " " + p + " cannot be read: " + e.getMessage());
        }
    }

    private static String fingerprint(byte[] cert, byte[] key) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(cert);
            d.update(key);
            byte[] h = d.digest();
            Arrays.fill(key, (byte) 0);
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
