package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HashKeysTest {

    @Test
    void allDevicesOfASynapseUserShareAKey() {
        // syt_<base64("alice")>_<random>_<crc>: two devices, two tokens, one user.
        long phone = HashKeys.USER.hash(request("Bearer syt_YWxpY2U_abcdefghijklmnopqrst_0a1b2c", null, "192.0.2.1"));
        long laptop = HashKeys.USER.hash(request("Bearer syt_YWxpY2U_zyxwvutsrqponmlkjihg_3d4e5f", null, "192.0.2.9"));
        long viaQuery = HashKeys.USER.hash(request(null, "since=s1&access_token=syt_YWxpY2U_qqqqqqqqqqqqqqqqqqqq_000000", "192.0.2.5"));
        long bob = HashKeys.USER.hash(request("Bearer syt_Ym9i_abcdefghijklmnopqrst_0a1b2c", null, "192.0.2.1"));
        assertEquals(phone, laptop);
        assertEquals(phone, viaQuery);
        assertNotEquals(phone, bob);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "MAS token            | Bearer mat_abcdef0123456789         | access_token=mat_abcdef0123456789",
            "macaroon             | Bearer MDAxYmxvY2F0aW9uIGV4YW1wbGU+/ | access_token=MDAxYmxvY2F0aW9uIGV4YW1wbGU%2B%2F",
            "plus and slash kept  | Bearer ab+c/d                       | access_token=ab+c%2Fd",
    })
    void otherTokensHashWholeWhereverTheyAreSent(String name, String authorization, String query) {
        assertEquals(HashKeys.USER.hash(request(authorization, null, "192.0.2.1")),
                HashKeys.USER.hash(request(null, query, "198.51.100.7")));
    }

    @Test
    void noTokenFallsBackToTheClientAddress() {
        assertEquals(HashKeys.SOURCE.hash(request(null, null, "2001:db8::1")),
                HashKeys.USER.hash(request(null, "timeout=30000", "2001:db8::1")));
    }

    @Test
    void roomKeyIsTheDecodedRoomId() {
        long encoded = HashKeys.ROOM.hash(path("/_matrix/client/v3/rooms/%21abc%3Aexample.org/messages"));
        long raw = HashKeys.ROOM.hash(path("/_matrix/client/v3/rooms/!abc:example.org/send/m.room.message/txn1"));
        assertEquals(encoded, raw);
        assertNotEquals(encoded, HashKeys.ROOM.hash(path("/_matrix/client/v3/rooms/%21other%3Aexample.org/messages")));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "since=s1&access_token=abc,  access_token, abc",
            "access_token=abc,           access_token, abc",
            "xaccess_token=abc,          access_token, -",
            "a=1&since,                  since,        ''",
            "a=%41%2f,                   a,            A/",
    })
    void queryValues(String query, String name, String expected) {
        assertEquals(expected, QueryParams.decodedValue(query, name));
    }

    private static RequestView request(String authorization, String query, String clientAddress) {
        Map<String, String> headers = authorization == null ? Map.of() : Map.of("authorization", authorization);
        return new FakeRequest("GET", "/_matrix/client/v3/sync", query, headers, clientAddress);
    }

    private static RequestView path(String path) {
        return new FakeRequest("PUT", path, null, Map.of(), "192.0.2.1");
    }

    record FakeRequest(String method, String path, String query, Map<String, String> headers, String clientAddress)
            implements RequestView {
        @Override
        public String host() {
            return null;
        }

        @Override
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }
}
