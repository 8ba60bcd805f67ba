package io.rocketactor.interop;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One broker of a test topology: its node name (how tests refer to it, e.g. "broker-a-s"), its
 * RocketMQ identity (brokerName, brokerId), role, flush type and extra broker.properties keys.
 * The keys follow conf/2m-2s-sync/*.properties.
 */
public final class BrokerSpec {
    final String node;
    final String brokerName;
    final int brokerId;
    final String role;
    final String flush;
    final Map<String, String> extra = new LinkedHashMap<>();

    public BrokerSpec(String node, String brokerName, int brokerId, String role, String flush) {
        this.node = node;
        this.brokerName = brokerName;
        this.brokerId = brokerId;
        this.role = role;
        this.flush = flush;
    }

    /** Adds (or replaces) a broker.properties key of this broker only. */
    public BrokerSpec with(String key, String value) {
        extra.put(key, value);
        return this;
    }

    public boolean isSlave() {
        return brokerId > 0;
    }

    /** broker-a: SYNC_MASTER + SYNC_FLUSH (needs its slave attached to accept sends). */
    public static BrokerSpec syncMaster(String name) {
        return new BrokerSpec(name, name, 0, "SYNC_MASTER", "SYNC_FLUSH");
    }

    /** A slave (brokerId=1) of {@code brokerName}, node name {@code brokerName + "-s"}. */
    public static BrokerSpec slaveOf(String brokerName) {
        return new BrokerSpec(brokerName + "-s", brokerName, 1, "SLAVE", "ASYNC_FLUSH");
    }

    /** An ASYNC_MASTER + ASYNC_FLUSH broker. */
    public static BrokerSpec asyncMaster(String name) {
        return new BrokerSpec(name, name, 0, "ASYNC_MASTER", "ASYNC_FLUSH");
    }
}
