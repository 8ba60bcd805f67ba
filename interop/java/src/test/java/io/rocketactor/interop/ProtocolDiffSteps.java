package io.rocketactor.interop;

import com.alibaba.fastjson.JSON;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.RequestCode;
import org.apache.rocketmq.common.protocol.body.LockBatchRequestBody;
import org.apache.rocketmq.common.protocol.header.CreateTopicRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetConsumeStatsRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetConsumerConnectionListRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetConsumerListByGroupRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetEarliestMsgStoretimeRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetMaxOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetMinOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetTopicStatsInfoRequestHeader;
import org.apache.rocketmq.common.protocol.header.PullMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.QueryConsumerOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.QueryMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.QueryTopicConsumeByWhoRequestHeader;
import org.apache.rocketmq.common.protocol.header.SearchOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeaderV2;
import org.apache.rocketmq.common.protocol.header.UpdateConsumerOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.ViewMessageRequestHeader;
import org.apache.rocketmq.common.protocol.heartbeat.ConsumeType;
import org.apache.rocketmq.common.protocol.heartbeat.ConsumerData;
import org.apache.rocketmq.common.protocol.heartbeat.HeartbeatData;
import org.apache.rocketmq.common.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.common.protocol.heartbeat.ProducerData;
import org.apache.rocketmq.common.protocol.heartbeat.SubscriptionData;
import org.apache.rocketmq.common.sysflag.PullSysFlag;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;

/**
 * The scripted requests of the protocol diff (issue #12): the same raw RocketMQ 4.9.7 requests,
 * in the same order, to rocketactor and to the Java broker, each as one {@link Step}. Request
 * headers are the Java client's own header classes; bodies are built with the client's own
 * classes and fastjson, as the client sends them. Includes error paths (unknown code, bad
 * queue id, offset beyond the end, a missing group).
 */
final class ProtocolDiffSteps {
    static final String TOPIC = "diff_topic";
    static final String GROUP = "diff_group";
    static final String PRODUCER = "diff_producer";
    static final String CLIENT_ID = "127.0.0.1@diff";

    /** One request: a name and how to build it from what earlier responses gave. */
    record Step(String name, java.util.function.Function<Context, RemotingCommand> request) {
    }

    /** What later steps need from earlier responses. */
    static final class Context {
        String firstOffsetMsgId;
    }

    private ProtocolDiffSteps() {
    }

    static List<Step> all() {
        List<Step> s = new ArrayList<>();
        s.add(new Step("UPDATE_AND_CREATE_TOPIC", c -> {
            CreateTopicRequestHeader h = new CreateTopicRequestHeader();
            h.setTopic(TOPIC);
            h.setDefaultTopic("TBW102");
            h.setReadQueueNums(2);
            h.setWriteQueueNums(2);
            h.setPerm(6);
            h.setTopicFilterType("SINGLE_TAG");
            h.setTopicSysFlag(0);
            h.setOrder(false);
            return RemotingCommand.createRequestCommand(RequestCode.UPDATE_AND_CREATE_TOPIC, h);
        }));
        s.add(new Step("HEART_BEAT", c -> {
            HeartbeatData hb = new HeartbeatData();
            hb.setClientID(CLIENT_ID);
            ProducerData pd = new ProducerData();
            pd.setGroupName(PRODUCER);
            hb.getProducerDataSet().add(pd);
            ConsumerData cd = new ConsumerData();
            cd.setGroupName(GROUP);
            cd.setConsumeType(ConsumeType.CONSUME_PASSIVELY);
            cd.setMessageModel(MessageModel.CLUSTERING);
            cd.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            Set<SubscriptionData> subs = new HashSet<>();
            SubscriptionData sd = new SubscriptionData();
            sd.setTopic(TOPIC);
            sd.setSubString("*");
            subs.add(sd);
            cd.setSubscriptionDataSet(subs);
            hb.getConsumerDataSet().add(cd);
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.HEART_BEAT, null);
            r.setBody(hb.encode());
            return r;
        }));
        for (int i = 0; i < 3; i++) {
            int n = i;
            s.add(new Step("SEND_MESSAGE_V2 #" + i, c -> send(0, "tag" + n, "key" + n, 0, false)));
        }
        s.add(new Step("SEND_MESSAGE_V2 delay level 2", c -> send(1, "tagd", "keyd", 2, false)));
        s.add(new Step("SEND_MESSAGE_V2 bad queue id 99", c -> send(99, "tagx", "keyx", 0, false)));
        s.add(new Step("SEND_MESSAGE_V2 to %RETRY% topic of unknown group", c -> {
            SendMessageRequestHeader h = sendHeader(0, "t", "k", 0);
            h.setTopic(MixAll.getRetryTopic("no_such_group"));
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE_V2,
                SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(h));
            r.setBody("x".getBytes(StandardCharsets.UTF_8));
            return r;
        }));
        s.add(new Step("PULL_MESSAGE found", c -> pull(0, 0, 32, "*")));
        s.add(new Step("PULL_MESSAGE tag filter", c -> pull(0, 0, 32, "tag1")));
        s.add(new Step("PULL_MESSAGE offset too big", c -> pull(0, 1000, 32, "*")));
        s.add(new Step("PULL_MESSAGE at end (no new msg)", c -> pull(0, 3, 32, "*")));
        s.add(new Step("PULL_MESSAGE bad queue id", c -> pull(9, 0, 32, "*")));
        s.add(new Step("UPDATE_CONSUMER_OFFSET", c -> {
            UpdateConsumerOffsetRequestHeader h = new UpdateConsumerOffsetRequestHeader();
            h.setConsumerGroup(GROUP);
            h.setTopic(TOPIC);
            h.setQueueId(0);
            h.setCommitOffset(2L);
            return RemotingCommand.createRequestCommand(RequestCode.UPDATE_CONSUMER_OFFSET, h);
        }));
        s.add(new Step("QUERY_CONSUMER_OFFSET", c -> queryOffset(GROUP, 0)));
        s.add(new Step("QUERY_CONSUMER_OFFSET not committed queue", c -> queryOffset(GROUP, 1)));
        s.add(new Step("QUERY_CONSUMER_OFFSET unknown group", c -> queryOffset("no_such_group", 0)));
        s.add(new Step("GET_MAX_OFFSET", c -> {
            GetMaxOffsetRequestHeader h = new GetMaxOffsetRequestHeader();
            h.setTopic(TOPIC);
            h.setQueueId(0);
            return RemotingCommand.createRequestCommand(RequestCode.GET_MAX_OFFSET, h);
        }));
        s.add(new Step("GET_MIN_OFFSET", c -> {
            GetMinOffsetRequestHeader h = new GetMinOffsetRequestHeader();
            h.setTopic(TOPIC);
            h.setQueueId(0);
            return RemotingCommand.createRequestCommand(RequestCode.GET_MIN_OFFSET, h);
        }));
        s.add(new Step("SEARCH_OFFSET_BY_TIMESTAMP", c -> {
            SearchOffsetRequestHeader h = new SearchOffsetRequestHeader();
            h.setTopic(TOPIC);
            h.setQueueId(0);
            h.setTimestamp(0L);
            return RemotingCommand.createRequestCommand(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, h);
        }));
        s.add(new Step("GET_EARLIEST_MSG_STORETIME", c -> {
            GetEarliestMsgStoretimeRequestHeader h = new GetEarliestMsgStoretimeRequestHeader();
            h.setTopic(TOPIC);
            h.setQueueId(0);
            return RemotingCommand.createRequestCommand(RequestCode.GET_EARLIEST_MSG_STORETIME, h);
        }));
        s.add(new Step("VIEW_MESSAGE_BY_ID", c -> {
            ViewMessageRequestHeader h = new ViewMessageRequestHeader();
            try {
                h.setOffset(MessageDecoder.decodeMessageId(c.firstOffsetMsgId).getOffset());
            } catch (Exception e) {
                throw new IllegalStateException("offsetMsgId " + c.firstOffsetMsgId, e);
            }
            return RemotingCommand.createRequestCommand(RequestCode.VIEW_MESSAGE_BY_ID, h);
        }));
        s.add(new Step("QUERY_MESSAGE by key", c -> {
            QueryMessageRequestHeader h = new QueryMessageRequestHeader();
            h.setTopic(TOPIC);
            h.setKey("key1");
            h.setMaxNum(32);
            h.setBeginTimestamp(0L);
            h.setEndTimestamp(Long.MAX_VALUE);
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.QUERY_MESSAGE, h);
            r.addExtField(MixAll.UNIQUE_MSG_QUERY_FLAG, "false");
            return r;
        }));
        s.add(new Step("GET_CONSUMER_LIST_BY_GROUP", c -> {
            GetConsumerListByGroupRequestHeader h = new GetConsumerListByGroupRequestHeader();
            h.setConsumerGroup(GROUP);
            return RemotingCommand.createRequestCommand(RequestCode.GET_CONSUMER_LIST_BY_GROUP, h);
        }));
        s.add(new Step("GET_CONSUMER_CONNECTION_LIST", c -> {
            GetConsumerConnectionListRequestHeader h = new GetConsumerConnectionListRequestHeader();
            h.setConsumerGroup(GROUP);
            return RemotingCommand.createRequestCommand(RequestCode.GET_CONSUMER_CONNECTION_LIST, h);
        }));
        s.add(new Step("GET_CONSUME_STATS", c -> {
            GetConsumeStatsRequestHeader h = new GetConsumeStatsRequestHeader();
            h.setConsumerGroup(GROUP);
            h.setTopic(TOPIC);
            return RemotingCommand.createRequestCommand(RequestCode.GET_CONSUME_STATS, h);
        }));
        s.add(new Step("GET_TOPIC_STATS_INFO", c -> {
            GetTopicStatsInfoRequestHeader h = new GetTopicStatsInfoRequestHeader();
            h.setTopic(TOPIC);
            return RemotingCommand.createRequestCommand(RequestCode.GET_TOPIC_STATS_INFO, h);
        }));
        s.add(new Step("QUERY_TOPIC_CONSUME_BY_WHO", c -> {
            QueryTopicConsumeByWhoRequestHeader h = new QueryTopicConsumeByWhoRequestHeader();
            h.setTopic(TOPIC);
            return RemotingCommand.createRequestCommand(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, h);
        }));
        s.add(new Step("LOCK_BATCH_MQ", c -> {
            LockBatchRequestBody b = new LockBatchRequestBody();
            b.setConsumerGroup(GROUP);
            b.setClientId(CLIENT_ID);
            b.getMqSet().add(new MessageQueue(TOPIC, "swap-broker", 0));
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.LOCK_BATCH_MQ, null);
            r.setBody(b.encode());
            return r;
        }));
        for (int code : new int[] {RequestCode.GET_BROKER_RUNTIME_INFO, RequestCode.GET_ALL_TOPIC_CONFIG,
            RequestCode.GET_BROKER_CONFIG, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
            RequestCode.GET_ALL_CONSUMER_OFFSET, RequestCode.GET_ALL_DELAY_OFFSET,
            RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, 9999}) {
            s.add(new Step("code " + code, c -> RemotingCommand.createRequestCommand(code, null)));
        }
        return s;
    }

    private static RemotingCommand send(int queueId, String tags, String keys, int delay, boolean batch) {
        SendMessageRequestHeader h = sendHeader(queueId, tags, keys, delay);
        h.setBatch(batch);
        RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE_V2,
            SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(h));
        r.setBody(("body-" + keys).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private static SendMessageRequestHeader sendHeader(int queueId, String tags, String keys, int delay) {
        SendMessageRequestHeader h = new SendMessageRequestHeader();
        h.setProducerGroup(PRODUCER);
        h.setTopic(TOPIC);
        h.setDefaultTopic("TBW102");
        h.setDefaultTopicQueueNums(4);
        h.setQueueId(queueId);
        h.setSysFlag(0);
        h.setBornTimestamp(System.currentTimeMillis());
        h.setFlag(0);
        StringBuilder p = new StringBuilder();
        p.append(MessageConst.PROPERTY_TAGS).append((char) 1).append(tags).append((char) 2);
        p.append(MessageConst.PROPERTY_KEYS).append((char) 1).append(keys).append((char) 2);
        p.append(MessageConst.PROPERTY_WAIT_STORE_MSG_OK).append((char) 1).append("true").append((char) 2);
        if (delay > 0) {
            p.append(MessageConst.PROPERTY_DELAY_TIME_LEVEL).append((char) 1).append(delay).append((char) 2);
        }
        h.setProperties(p.toString());
        h.setReconsumeTimes(0);
        h.setUnitMode(false);
        h.setBatch(false);
        return h;
    }

    private static RemotingCommand pull(int queueId, long offset, int max, String sub) {
        PullMessageRequestHeader h = new PullMessageRequestHeader();
        h.setConsumerGroup(GROUP);
        h.setTopic(TOPIC);
        h.setQueueId(queueId);
        h.setQueueOffset(offset);
        h.setMaxMsgNums(max);
        h.setSysFlag(PullSysFlag.buildSysFlag(false, false, true, false));
        h.setCommitOffset(0L);
        h.setSuspendTimeoutMillis(0L);
        h.setSubscription(sub);
        h.setSubVersion(0L);
        h.setExpressionType("TAG");
        return RemotingCommand.createRequestCommand(RequestCode.PULL_MESSAGE, h);
    }

    private static RemotingCommand queryOffset(String group, int queueId) {
        QueryConsumerOffsetRequestHeader h = new QueryConsumerOffsetRequestHeader();
        h.setConsumerGroup(group);
        h.setTopic(TOPIC);
        h.setQueueId(queueId);
        return RemotingCommand.createRequestCommand(RequestCode.QUERY_CONSUMER_OFFSET, h);
    }

    /** Top-level and nested key paths of a JSON body (fastjson, lenient like the client), or null. */
    static Set<String> jsonKeys(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            Object o = JSON.parse(new String(body, StandardCharsets.UTF_8));
            Set<String> out = new java.util.TreeSet<>();
            collect("", o, out, 0);
            return out;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void collect(String prefix, Object o, Set<String> out, int depth) {
        if (depth > 3) {
            return;
        }
        if (o instanceof java.util.Map<?, ?> m) {
            for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
                String k = String.valueOf(e.getKey());
                // Map keys that are data (topic names, queue ids, addresses) collapse to "*".
                String name = k.matches("[a-z][A-Za-z0-9]*") && !k.startsWith("diff") ? k : "*";
                out.add(prefix + name);
                collect(prefix + name + ".", e.getValue(), out, depth + 1);
            }
        } else if (o instanceof java.util.List<?> l && !l.isEmpty()) {
            collect(prefix + "[].", l.get(0), out, depth + 1);
        }
    }
}
