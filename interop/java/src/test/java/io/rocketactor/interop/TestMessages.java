package io.rocketactor.interop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.apache.rocketmq.common.message.Message;

/**
 * Test messages with tags, keys, user properties and a checksummed body. Each carries a unique
 * {@value #ID} user property, the identity {@link Received} matches on (message ids change on
 * retry and differ between a batch's messages, ours does not). The body is
 * "crc32-hex(8) + '|' + payload"; {@link #bodyIntact} checks it.
 */
public final class TestMessages {
    public static final String ID = "itest_id";

    private TestMessages() {
    }

    /** A message of {@code bodySize} payload bytes (random, so not compressible) plus the 9-byte checksum head. */
    public static Message build(String topic, String id, String tags, String keys, Map<String, String> props,
                                int bodySize) {
        Message m = new Message(topic, tags, keys, body(id, bodySize));
        if (props != null) {
            props.forEach(m::putUserProperty);
        }
        m.putUserProperty(ID, id);
        return m;
    }

    /** A small message with tag, key and two user properties derived from {@code id}. */
    public static Message simple(String topic, String id, String tags) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("color", "blue");
        props.put("seq", id);
        return build(topic, id, tags, "key-" + id, props, 64);
    }

    /** {@code n} simple messages with ids prefix-0 .. prefix-(n-1). */
    public static List<Message> batch(String topic, String prefix, String tags, int n) {
        List<Message> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(simple(topic, prefix + "-" + i, tags));
        }
        return out;
    }

    static byte[] body(String id, int payloadSize) {
        byte[] payload = new byte[payloadSize];
        new SplittableRandom(id.hashCode()).nextBytes(payload);
        CRC32 crc = new CRC32();
        crc.update(payload);
        byte[] head = String.format("%08x|", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        byte[] body = Arrays.copyOf(head, head.length + payload.length);
        System.arraycopy(payload, 0, body, head.length, payload.length);
        return body;
    }

    /** Whether the body's checksum head matches its payload. */
    public static boolean bodyIntact(byte[] body) {
        if (body == null || body.length < 9 || body[8] != '|') {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(body, 9, body.length - 9);
        String expect = String.format("%08x", crc.getValue());
        return expect.equals(new String(body, 0, 8, StandardCharsets.US_ASCII));
    }

    public static String id(Message m) {
        return m.getUserProperty(ID);
    }
}
