package org.switchboard.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The in-memory conversion to PKCS#8 against openssl's own: each key of the fixtures (made once
 * with openssl, see the README beside them) in its original form reads as the same key as
 * openssl's PKCS#8 of it.
 */
class PemKeysTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "rsa-pkcs1.key, rsa-pkcs8.key, RSA",
        "ec256-sec1.key, ec256-pkcs8.key, EC",
        "ec384-sec1.key, ec384-pkcs8.key, EC",
        "ec256-sec1-with-params.key, ec256-pkcs8.key, EC",
        "rsa-pkcs8.key, rsa-pkcs8.key, RSA",
        "ec384-pkcs8.key, ec384-pkcs8.key, EC",
    })
    void eachFormReadsAsTheKeyOpensslConvertedToPkcs8(String original, String pkcs8, String algorithm) throws Exception {
        PrivateKey converted = PemKeys.read(resource(original));
        PrivateKey expected = PemKeys.read(resource(pkcs8));
        assertEquals(algorithm, converted.getAlgorithm());
        if (converted instanceof RSAPrivateCrtKey rsa) {
            RSAPrivateCrtKey other = (RSAPrivateCrtKey) expected;
            assertEquals(other.getModulus(), rsa.getModulus());
            assertEquals(other.getPrivateExponent(), rsa.getPrivateExponent());
            assertEquals(other.getPrimeP(), rsa.getPrimeP());
        } else {
            ECPrivateKey ec = (ECPrivateKey) converted;
            ECPrivateKey other = (ECPrivateKey) expected;
            assertEquals(other.getS(), ec.getS());
            assertEquals(other.getParams().getCurve(), ec.getParams().getCurve());
            assertEquals(other.getParams().getOrder(), ec.getParams().getOrder());
        }
    }

    @Test
    void theRsaWrapperIsExactlyOpensslsPkcs8() throws Exception {
        byte[] pkcs1 = Pem.blocks(resource("rsa-pkcs1.key")).get(0).der();
        byte[] pkcs8 = Pem.blocks(resource("rsa-pkcs8.key")).get(0).der();
        assertEquals(Base64.getEncoder().encodeToString(pkcs8), Base64.getEncoder().encodeToString(PemKeys.rsaToPkcs8(pkcs1)));
    }

    @Test
    void aSec1KeyWithoutItsCurveIsRefused() throws Exception {
        // The JDK writes SEC1 without the optional [0] curve; openssl and cert-manager always name it.
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
        List<Der.Element> info = Der.sequence(pkcs8);
        byte[] sec1 = info.get(2).content();
        TlsMaterialException e = assertThrows(TlsMaterialException.class, () -> PemKeys.read(pem("EC PRIVATE KEY", sec1)));
        assertTrue(e.getMessage().startsWith("an EC PRIVATE KEY without a named curve"), e.getMessage());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "hello | not a PEM private key (expected BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
        "-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE----- | not a PEM private key (expected BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\\nAAAA\\n-----END ENCRYPTED PRIVATE KEY----- | an encrypted private key (expected an unencrypted PEM private key)",
        "-----BEGIN RSA PRIVATE KEY-----\\nProc-Type: 4,ENCRYPTED\\nAAAA\\n-----END RSA PRIVATE KEY----- | an encrypted RSA PRIVATE KEY (expected an unencrypted PEM key)",
        "-----BEGIN PRIVATE KEY-----\\nAAAA | a broken PEM block (no END line for PRIVATE KEY)",
        "-----BEGIN PRIVATE KEY-----\\nMAMCAQA=\\n-----END PRIVATE KEY----- | a private key that is neither RSA nor EC, or is broken (expected RSA or ECDSA)",
        "-----BEGIN EC PRIVATE KEY-----\\nMAMCAQ==\\n-----END EC PRIVATE KEY----- | a broken EC PRIVATE KEY (truncated DER)",
    })
    void whatIsNotAUsableKeyIsSaid(String text, String message) {
        TlsMaterialException e = assertThrows(TlsMaterialException.class, () -> PemKeys.read(text.replace("\\n", "\n")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void derLengthsInEveryFormRoundTrip() {
        for (int length : new int[] {0, 1, 127, 128, 255, 256, 65_535, 65_536}) {
            byte[] encoded = Der.tlv(Der.OCTET_STRING, new byte[length]);
            Der.Element element = Der.read(encoded, 0, encoded.length);
            assertEquals(Der.OCTET_STRING, element.tag());
            assertEquals(length, element.contentEnd() - element.contentStart());
            assertEquals(encoded.length, element.contentEnd());
        }
        assertThrows(IllegalArgumentException.class, () -> Der.read(new byte[] {0x04, 0x05, 0}, 0, 3));
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    static String resource(String name) throws IOException {
        try (InputStream in = PemKeysTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
