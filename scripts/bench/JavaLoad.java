// The Java-client load row of scripts/bench-vs-reference.sh: Apache RocketMQ's own 4.9.7 client
// (DefaultMQProducer, synchronous sends from N threads, as the released
// org.apache.rocketmq.example.benchmark.Producer drives a broker), so that the comparison of the
// brokers does not hinge on our `rocketactor bench` client.
//
// Run as a single-file source program against the released jars (no build step):
//   java -cp "$(scripts/java-reference.sh classpath)" scripts/bench/JavaLoad.java \
//       --namesrv 127.0.0.1:9876 --topic JL --threads 64 --count 200000 --size 1024
//
// Prints one JSON object on the last line, in the shape of `rocketactor bench --json`:
// {"workload","sent","errors","elapsed_s","msgs_per_s","p50_us","p99_us","p999_us","max_us",
//  "status_SEND_OK",...,"first_error"}. A warm-up of one send per thread (route lookup, topic
// auto-creation) is not counted.

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;

public class JavaLoad {
    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new TreeMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        String namesrv = a.getOrDefault("namesrv", "127.0.0.1:9876");
        String topic = a.getOrDefault("topic", "JavaLoad");
        int threads = Integer.parseInt(a.getOrDefault("threads", "64"));
        long count = Long.parseLong(a.getOrDefault("count", "100000"));
        int size = Integer.parseInt(a.getOrDefault("size", "1024"));

        System.setProperty("rocketmq.client.logUseSlf4j", "false");
        System.setProperty("rocketmq.client.logLevel", "WARN");
        DefaultMQProducer producer = new DefaultMQProducer("JavaLoadProducer");
        producer.setNamesrvAddr(namesrv);
        producer.setInstanceName("JavaLoad-" + ProcessHandle.current().pid());
        producer.setSendMsgTimeout(10_000);
        producer.setRetryTimesWhenSendFailed(0);
        producer.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
        producer.start();

        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        // Warm-up: the route (and an auto-created topic) before the clock starts.
        for (int i = 0; i < 50; i++) {
            try {
                producer.send(new Message(topic, "warm", body));
                break;
            } catch (Exception e) {
                Thread.sleep(200);
            }
        }

        // JIT warm-up, untimed (the released benchmark Producer runs for minutes and reports
        // steady-state snapshots; a short run would otherwise measure the interpreter).
        long warm = Long.parseLong(a.getOrDefault("warmup", String.valueOf(Math.max(1000, count / 10))));
        run(producer, topic, body, threads, warm, new long[(int) warm], new Tally());

        long[] slots = new long[(int) count];
        Tally tally = new Tally();
        long start = System.nanoTime();
        run(producer, topic, body, threads, count, slots, tally);
        double secs = Math.max((System.nanoTime() - start) / 1e9, 1e-9);
        producer.shutdown();
        AtomicLong errors = tally.errors;
        AtomicReference<String> firstError = tally.firstError;
        Map<String, AtomicLong> statuses = tally.statuses;

        long[] all = Arrays.stream(slots).filter(v -> v >= 0).toArray();
        Arrays.sort(all);
        long sent = all.length;
        StringBuilder j = new StringBuilder("{");
        j.append("\"workload\":\"java-client produce\"");
        j.append(",\"sent\":").append(sent);
        j.append(",\"errors\":").append(errors.get());
        j.append(",\"elapsed_s\":").append(secs);
        j.append(",\"msgs_per_s\":").append(sent / secs);
        j.append(",\"p50_us\":").append(q(all, 0.50));
        j.append(",\"p99_us\":").append(q(all, 0.99));
        j.append(",\"p999_us\":").append(q(all, 0.999));
        j.append(",\"max_us\":").append(all.length == 0 ? 0 : all[all.length - 1]);
        for (Map.Entry<String, AtomicLong> e : new TreeMap<>(statuses).entrySet()) {
            j.append(",\"status_").append(e.getKey()).append("\":").append(e.getValue().get());
        }
        String fe = firstError.get();
        j.append(",\"first_error\":").append(fe == null ? "null" : quote(fe));
        j.append("}");
        System.out.println(j);
        System.exit(0);
    }

    static final class Tally {
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        final Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();
    }

    // Sends `count` messages from `threads` threads, each claiming the next slot, sending
    // synchronously and writing the latency (microseconds) there, or -1 for a failed send.
    static void run(DefaultMQProducer producer, String topic, byte[] body, int threads, long count,
                    long[] slots, Tally tally) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    long slot;
                    while ((slot = next.getAndIncrement()) < count) {
                        long t0 = System.nanoTime();
                        try {
                            SendResult r = producer.send(new Message(topic, "load", body));
                            tally.statuses.computeIfAbsent(r.getSendStatus().name(), k -> new AtomicLong())
                                .incrementAndGet();
                            slots[(int) slot] = (System.nanoTime() - t0) / 1000;
                        } catch (Exception e) {
                            slots[(int) slot] = -1;
                            tally.errors.incrementAndGet();
                            tally.firstError.compareAndSet(null, e.toString());
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "load-" + t);
            th.setDaemon(true);
            th.start();
        }
        done.await();
    }

    static long q(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(i, 0)];
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
    }
}
