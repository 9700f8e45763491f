package org.switchboard.proxy.tls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;

/**
 * Reads a PEM private key in the forms cert-manager and openssl write: PKCS#8
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, cert-manager's default
 * encoding) and SEC1 ({@code BEGIN EC PRIVATE KEY}). Netty and the JDK read only PKCS#8 (without
 * BouncyCastle), so the other two are wrapped into PKCS#8 in memory (RFC 5208, RFC 5915).
 */
final class PemKeys {
    private static final byte[] RSA_ENCRYPTION = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] EC_PUBLIC_KEY = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] VERSION_0 = {Der.INTEGER, 1, 0};

    private PemKeys() {
    }

    /** The private key of a PEM text; the message of the exception says what is wrong, for a config error. */
    static PrivateKey read(String pem) throws TlsMaterialException {
        for (Pem.Block block : Pem.blocks(pem)) {
            switch (block.label()) {
                case "PRIVATE KEY" -> {
                    return fromPkcs8(block.der());
                }
                case "RSA PRIVATE KEY" -> {
                    return fromPkcs8(rsaToPkcs8(block.der()));
                }
                case "EC PRIVATE KEY" -> {
                    return fromPkcs8(sec1ToPkcs8(block.der()));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new TlsMaterialException(
                        "an encrypted private key (expected an unencrypted PEM private key)");
                default -> {
                    // EC PARAMETERS (openssl ecparam -genkey) or a certificate in the same file: skip.
                }
            }
        }
        throw new TlsMaterialException("not a PEM private key (expected BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** PKCS#1 RSAPrivateKey -> PrivateKeyInfo {0, {rsaEncryption, NULL}, OCTET STRING pkcs1}. */
    static byte[] rsaToPkcs8(byte[] pkcs1) {
        byte[] algorithm = Der.tlv(Der.SEQUENCE, Der.tlv(Der.OID, RSA_ENCRYPTION), Der.tlv(Der.NULL));
        return Der.tlv(Der.SEQUENCE, VERSION_0, algorithm, Der.tlv(Der.OCTET_STRING, pkcs1));
    }

    /**
     * SEC1 ECPrivateKey {1, privateKey, [0] namedCurve, [1] publicKey} -> PrivateKeyInfo
     * {0, {ecPublicKey, namedCurve}, OCTET STRING sec1}. The curve must be named in the key, as
     * openssl and cert-manager write it.
     */
    static byte[] sec1ToPkcs8(byte[] sec1) throws TlsMaterialException {
        byte[] curve = null;
        try {
            List<Der.Element> elements = Der.sequence(sec1);
            for (Der.Element element : elements) {
                if (element.tag() == Der.CONTEXT_0) {
                    Der.Element parameters = Der.read(sec1, element.contentStart(), element.contentEnd());
                    if (parameters.tag() == Der.OID) {
                        curve = parameters.content();
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            throw new TlsMaterialException("a broken EC PRIVATE KEY (" + e.getMessage() + ")");
        }
        if (curve == null) {
            throw new TlsMaterialException("an EC PRIVATE KEY without a named curve (expected one written by openssl or cert-manager)");
        }
        byte[] algorithm = Der.tlv(Der.SEQUENCE, Der.tlv(Der.OID, EC_PUBLIC_KEY), Der.tlv(Der.OID, curve));
        return Der.tlv(Der.SEQUENCE, VERSION_0, algorithm, Der.tlv(Der.OCTET_STRING, sec1));
    }

    private static PrivateKey fromPkcs8(byte[] pkcs8) throws TlsMaterialException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException e) {
                // Try the next algorithm.
            }
        }
        throw new TlsMaterialException("a private key that is neither RSA nor EC, or is broken (expected RSA or ECDSA)");
    }
}
