package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Collects consumed messages (thread-safe: push consumers call {@link #add} from their
 * consume threads) and checks them against what was sent: every sent message consumed, exactly
 * once (or at least once where Java only promises that), with body, tags, keys and user
 * properties intact.
 */
public final class Received {
    private final Map<String, List<MessageExt>> byId = new ConcurrentHashMap<>();
    private final List<MessageExt> all = new CopyOnWriteArrayList<>();

    public void add(MessageExt m) {
        all.add(m);
        String id = TestMessages.id(m);
        byId.computeIfAbsent(id == null ? "<no " + TestMessages.ID + ">" : id, k -> new CopyOnWriteArrayList<>())
            .add(m);
    }

    public void addAll(Collection<MessageExt> ms) {
        ms.forEach(this::add);
    }

    public int size() {
        return all.size();
    }

    /** Every message in arrival order. */
    public List<MessageExt> all() {
        return new ArrayList<>(all);
    }

    public List<MessageExt> get(String id) {
        return byId.getOrDefault(id, List.of());
    }

    public boolean hasAll(Collection<? extends Message> sent) {
        return sent.stream().allMatch(m -> byId.containsKey(TestMessages.id(m)));
    }

    /** Waits until every sent message arrived at least once. */
    public void awaitAll(Collection<? extends Message> sent, Duration timeout) {
        Eventually.await(timeout, "all " + sent.size() + " sent messages consumed (have " + byId.size()
            + " distinct)", () -> hasAll(sent));
    }

    /** Each sent message arrived exactly once, intact; nothing else arrived. */
    public void assertExactlyOnce(Collection<? extends Message> sent) {
        assertIntact(sent);
        for (Message m : sent) {
            assertEquals(1, get(TestMessages.id(m)).size(), "deliveries of " + TestMessages.id(m));
        }
        assertEquals(sent.size(), all.size(), "total deliveries (ids: " + new TreeMap<>(counts()) + ")");
    }

    /** Each sent message arrived at least once, intact; nothing not sent arrived. */
    public void assertAtLeastOnce(Collection<? extends Message> sent) {
        assertIntact(sent);
        assertEquals(sent.size(), byId.size(), "distinct messages consumed");
    }

    /** Ids consumed more than once, with their counts. */
    public Map<String, Integer> duplicates() {
        Map<String, Integer> d = new TreeMap<>();
        counts().forEach((k, v) -> {
            if (v > 1) {
                d.put(k, v);
            }
        });
        return d;
    }

    private Map<String, Integer> counts() {
        Map<String, Integer> c = new TreeMap<>();
        byId.forEach((k, v) -> c.put(k, v.size()));
        return c;
    }

    private void assertIntact(Collection<? extends Message> sent) {
        for (Message s : sent) {
            String id = TestMessages.id(s);
            List<MessageExt> got = get(id);
            if (got.isEmpty()) {
                fail("message " + id + " was never consumed (" + byId.size() + " of " + sent.size() + " arrived)");
            }
            for (MessageExt r : got) {
                assertMatches(s, r);
            }
        }
        for (String id : byId.keySet()) {
            assertTrue(sent.stream().anyMatch(m -> id.equals(TestMessages.id(m))), "unexpected message " + id);
        }
    }

    /** One consumed message equals the sent one: topic, body, tags, keys and every user property. */
    public static void assertMatches(Message sent, MessageExt got) {
        String id = TestMessages.id(sent);
        assertNotNull(got, "message " + id);
        assertEquals(sent.getTopic(), got.getTopic(), "topic of " + id);
        assertTrue(TestMessages.bodyIntact(got.getBody()), "checksum of the body of " + id);
        assertArrayEquals(sent.getBody(), got.getBody(), "body of " + id);
        assertEquals(sent.getTags(), got.getTags(), "tags of " + id);
        assertEquals(sent.getKeys(), got.getKeys(), "keys of " + id);
        for (Map.Entry<String, String> e : sent.getProperties().entrySet()) {
            if (MessageConst.STRING_HASH_SET.contains(e.getKey())) {
                continue; // system properties the client or broker may rewrite
            }
            assertEquals(e.getValue(), got.getUserProperty(e.getKey()), "user property " + e.getKey() + " of " + id);
        }
    }
}
