package interop

// Further scenarios beyond the list, each a feature the Go client exercises on the
// broker: one-way sends, compressed bodies, delay levels (ScheduleMessageService), consumer
// retry through CONSUMER_SEND_MSG_BACK (36), consumer offsets kept across a restart of the
// group, and request/reply (SEND_REPLY_MESSAGE 324, PUSH_REPLY_MESSAGE_TO_CLIENT 326).

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
)

func TestProducerMore(t *testing.T) {
	t.Run("AutoCreateTopic", func(t *testing.T) { run(t, scenarioAutoCreate) })
	t.Run("OneWaySend", func(t *testing.T) { run(t, scenarioOneWay) })
	t.Run("CompressedBody", func(t *testing.T) { run(t, scenarioCompressed) })
	t.Run("DelayLevel", func(t *testing.T) { run(t, scenarioDelay) })
	t.Run("RequestReply", func(t *testing.T) {
		run(t, scenarioRequestReply)
	})
}

func TestPushConsumerMore(t *testing.T) {
	t.Run("RetryLater", func(t *testing.T) { run(t, scenarioRetryLater) })
	t.Run("OffsetResume", func(t *testing.T) { run(t, scenarioOffsetResume) })
}

// A topic nobody created: the client sends through TBW102's route, the brokers create the topic
// (autoCreateTopicEnable) and register it, and a consumer then gets everything.
func scenarioAutoCreate(t *testing.T) error {
	topic := name("GoAutoCreate")
	p, err := newProducer(name("GoAutoCreateProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, want := newMessages(topic, "auto", 24, "TagA", "TagB")
	for i, m := range msgs {
		if err := checkSendOK(p.SendSync(context.Background(), m)); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	for _, ns := range cl.nameSrvs {
		err := waitFor(startGuard, func() (bool, error) {
			names, err := routeBrokers(ns, topic)
			return len(names) > 0, err
		})
		if err != nil {
			return fmt.Errorf("auto-created %s not routed by %s: %w", topic, ns, err)
		}
	}
	return consumeAll(topic, name("GoAutoCreateConsumer"), everything, want)
}

func scenarioOneWay(t *testing.T) error {
	topic := name("GoOneWay")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newProducer(name("GoOneWayProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, want := newMessages(topic, "oneway", 40, "TagA", "TagB")
	for i, m := range msgs {
		if err := p.SendOneWay(context.Background(), m); err != nil {
			return fmt.Errorf("SendOneWay %d: %w", i, err)
		}
	}
	return consumeAll(topic, name("GoOneWayConsumer"), everything, want)
}

// The client zlib-compresses bodies over 4 KiB and sets the compressed sys flag; the consumer
// must get the flag back and the body intact.
func scenarioCompressed(t *testing.T) error {
	topic := name("GoCompressed")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newProducer(name("GoCompressedProducer"), producer.WithCompressMsgBodyOverHowmuch(1024))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, want := newMessages(topic, "zip", 12, "TagZ")
	for i, m := range msgs {
		id := m.GetProperty("seq")
		body := strings.Repeat(fmt.Sprintf("compressible %s %d|", id, i), 900)
		m.Body = []byte(body)
		s := want[id]
		s.Body = body
		want[id] = s
		if err := checkSendOK(p.SendSync(context.Background(), m)); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	return consumeAll(topic, name("GoCompressedConsumer"), everything, want)
}

// Delay level 1 (1 s): the message waits in SCHEDULE_TOPIC_XXXX and then reaches its own topic.
func scenarioDelay(t *testing.T) error {
	topic := name("GoDelay")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newProducer(name("GoDelayProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, want := newMessages(topic, "delay", 10, "TagD")
	for i, m := range msgs {
		m.WithDelayTimeLevel(1)
		if err := checkSendOK(p.SendSync(context.Background(), m)); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	r := newReceiver(want)
	r.topic = topic
	group := name("GoDelayConsumer")
	var (
		mu       sync.Mutex
		problems []string
	)
	c, err := pushConsumer(group, group, topic, everything, func(m *primitive.MessageExt) {
		// ScheduleMessageService.messageTimeup restores topic and queue from REAL_TOPIC and
		// REAL_QID and keeps both; DELAY stays in the stored properties (Java computes the
		// properties string before it clears DELAY).
		got := [3]string{m.GetProperty("REAL_TOPIC"), m.GetProperty("REAL_QID"), m.GetProperty("DELAY")}
		if want := [3]string{topic, strconv.Itoa(m.Queue.QueueId), "1"}; got != want {
			mu.Lock()
			problems = append(problems, fmt.Sprintf("%s: REAL_TOPIC, REAL_QID, DELAY = %q, want %q",
				m.GetProperty("seq"), got, want))
			mu.Unlock()
		}
		r.add(m)
	})
	if err != nil {
		return err
	}
	defer c.Shutdown()
	if err := r.wait(); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		return fmt.Errorf("delayed messages: %s", head(problems, 5))
	}
	return nil
}

// Each message is first answered with ConsumeRetryLater: the client sends it back
// (CONSUMER_SEND_MSG_BACK) and it must come again once, through %RETRY%group, with
// reconsumeTimes 1 and its content intact.
func scenarioRetryLater(t *testing.T) error {
	topic := name("GoRetry")
	if err := createTopic(topic, 2, false); err != nil {
		return err
	}
	p, err := newProducer(name("GoRetryProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, want := newMessages(topic, "retry", 6, "TagR")
	for i, m := range msgs {
		if err := checkSendOK(p.SendSync(context.Background(), m)); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	r := newReceiver(want)
	r.topic = topic
	var (
		mu       sync.Mutex
		first    = map[string]int{}
		origin   = map[string]string{}
		problems []string
	)
	group := name("GoRetryConsumer")
	c, err := newPushWithResult(group, topic, func(m *primitive.MessageExt) consumer.ConsumeResult {
		mu.Lock()
		defer mu.Unlock()
		id := m.GetProperty("seq")
		if m.ReconsumeTimes == 0 {
			first[id]++
			if first[id] > 1 {
				problems = append(problems, fmt.Sprintf("%s: first delivery %d times", id, first[id]))
			}
			origin[id] = m.OffsetMsgId
			return consumer.ConsumeRetryLater
		}
		// SendMessageProcessor's send-back: RETRY_TOPIC and ORIGIN_MESSAGE_ID name the original;
		// delay level 3 + reconsumeTimes through SCHEDULE_TOPIC_XXXX into %RETRY%group.
		got := [4]string{m.GetProperty("RETRY_TOPIC"), m.GetProperty("ORIGIN_MESSAGE_ID"),
			m.GetProperty("REAL_TOPIC"), m.GetProperty("DELAY")}
		if want := [4]string{topic, origin[id], "%RETRY%" + group, "3"}; got != want {
			problems = append(problems, fmt.Sprintf("%s: RETRY_TOPIC, ORIGIN_MESSAGE_ID, REAL_TOPIC, DELAY = %q, want %q", id, got, want))
		}
		if m.ReconsumeTimes != 1 {
			problems = append(problems, fmt.Sprintf("%s: reconsumeTimes %d, want 1", id, m.ReconsumeTimes))
		}
		r.add(m)
		return consumer.ConsumeSuccess
	})
	if err != nil {
		return err
	}
	defer c.Shutdown()
	if err := r.wait(); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if len(first) != len(want) || len(problems) > 0 {
		return fmt.Errorf("first deliveries %d of %d; %s", len(first), len(want), head(problems, 10))
	}
	return nil
}

// A group consumes a first round, shuts down (offsets committed), starts again and must get
// only the second round: QUERY_CONSUMER_OFFSET answers what UPDATE_CONSUMER_OFFSET stored.
func scenarioOffsetResume(t *testing.T) error {
	topic := name("GoResume")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newProducer(name("GoResumeProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	group := name("GoResumeConsumer")
	for round := 0; round < 2; round++ {
		msgs, want := newMessages(topic, fmt.Sprintf("resume%d", round), 24, "TagA")
		for i, m := range msgs {
			if err := checkSendOK(p.SendSync(context.Background(), m)); err != nil {
				return fmt.Errorf("round %d message %d: %w", round, i, err)
			}
		}
		// The same group both rounds, with a new instance name (a restarted process).
		r := newReceiver(want)
		c, err := pushConsumer(group, fmt.Sprintf("%s_run%d", group, round), topic, everything, r.add)
		if err != nil {
			return err
		}
		err = r.wait()
		if serr := c.Shutdown(); serr != nil && err == nil {
			err = fmt.Errorf("Shutdown: %w", serr)
		}
		if err != nil {
			return fmt.Errorf("round %d: %w", round, err)
		}
	}
	return nil
}

// Request/reply: a producer's Request waits for the reply a consumer sends back through the
// cluster's reply topic, which the broker pushes to the requester's connection.
func scenarioRequestReply(t *testing.T) error {
	topic := name("GoRequest")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	replier, err := newProducer(name("GoReplyProducer"))
	if err != nil {
		return err
	}
	defer replier.Shutdown()
	var (
		mu       sync.Mutex
		problems []string
	)
	group := name("GoRequestConsumer")
	c, err := newPushWithResult(group, topic, func(m *primitive.MessageExt) consumer.ConsumeResult {
		reply, err := consumer.CreateReplyMessage(m, nil)
		if err == nil {
			// CreateReplyMessage of v2.1.2 parses its body argument as properties: set it here.
			reply.Body = []byte("reply to " + string(m.Body))
			_, err = replier.SendSync(context.Background(), reply)
		}
		if err != nil {
			mu.Lock()
			problems = append(problems, fmt.Sprintf("reply to %s: %v", m.GetProperty("seq"), err))
			mu.Unlock()
		}
		return consumer.ConsumeSuccess
	})
	if err != nil {
		return err
	}
	defer c.Shutdown()
	requester, err := newProducer(name("GoRequestProducer"))
	if err != nil {
		return err
	}
	defer requester.Shutdown()
	msgs, _ := newMessages(topic, "request", 5)
	for i, m := range msgs {
		// The consumer may still be rebalancing for the first request: allow a second attempt.
		var got *primitive.Message
		for attempt := 0; attempt < 2 && got == nil; attempt++ {
			got, err = requester.Request(context.Background(), 5*time.Second, m)
		}
		if err != nil {
			mu.Lock()
			defer mu.Unlock()
			return fmt.Errorf("Request %d: %w (replier: %s)", i, err, head(problems, 3))
		}
		if wantBody := "reply to " + string(m.Body); string(got.Body) != wantBody {
			return fmt.Errorf("Request %d: reply body %q, want %q", i, got.Body, wantBody)
		}
	}
	return nil
}

// newPushWithResult starts a push consumer whose listener decides each message's result.
func newPushWithResult(group, topic string, f func(*primitive.MessageExt) consumer.ConsumeResult) (interface{ Shutdown() error }, error) {
	c, err := newPushConsumerRaw(group)
	if err != nil {
		return nil, err
	}
	err = c.Subscribe(topic, everything, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		res := consumer.ConsumeSuccess
		for _, m := range msgs {
			if f(m) != consumer.ConsumeSuccess {
				res = consumer.ConsumeRetryLater
			}
		}
		return res, nil
	})
	if err != nil {
		return nil, fmt.Errorf("Subscribe %s/%s: %w", group, topic, err)
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("push consumer %s Start: %w", group, err)
	}
	return c, nil
}
