package interop

// Pull consumer scenarios with the v2.1.2 pull consumer (`NewPullConsumer`): the lite-pull
// Poll/ACK loop, and PullFrom on each queue from offset 0.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/admin"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

func TestPullConsumer(t *testing.T) {
	t.Run("PollAck", func(t *testing.T) { run(t, scenarioPollAck) })
	t.Run("PullFrom", func(t *testing.T) { run(t, scenarioPullFrom) })
}

// sendAll creates topic and sends msgs with a sync producer.
func sendAll(topic, producerGroup string, msgs []*primitive.Message) error {
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newProducer(producerGroup)
	if err != nil {
		return err
	}
	defer p.Shutdown()
	for i, m := range msgs {
		if err := checkSendOK(p.SendSync(context.Background(), m)); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	return nil
}

func newPullConsumer(group, topic string, extra ...consumer.Option) (rocketmq.PullConsumer, error) {
	opts := append([]consumer.Option{
		consumer.WithNsResolver(primitive.NewPassthroughResolver(cl.nameSrvs)),
		consumer.WithGroupName(group),
		consumer.WithInstance(group),
	}, extra...)
	c, err := rocketmq.NewPullConsumer(opts...)
	if err != nil {
		return nil, fmt.Errorf("NewPullConsumer %s: %w", group, err)
	}
	if err := c.Subscribe(topic, everything); err != nil {
		return nil, fmt.Errorf("pull Subscribe %s: %w", topic, err)
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("pull consumer %s Start: %w", group, err)
	}
	return c, nil
}

func scenarioPollAck(t *testing.T) error {
	topic := name("GoPoll")
	msgs, want := newMessages(topic, "poll", 50, "TagA", "TagB")
	if err := sendAll(topic, name("GoPollProducer"), msgs); err != nil {
		return err
	}
	// CONSUME_FROM_LAST_OFFSET on purpose: for a new group, ConsumerManageProcessor answers
	// QUERY_CONSUMER_OFFSET with offset 0 while the queue's first message is still in memory,
	// so the messages sent before the consumer started are consumed (as against Java).
	c, err := newPullConsumer(name("GoPollConsumer"), topic, consumer.WithConsumeFromWhere(consumer.ConsumeFromLastOffset))
	if err != nil {
		return err
	}
	defer c.Shutdown()
	r := newReceiver(want)
	deadline := time.Now().Add(consumeGuard)
	for time.Now().Before(deadline) {
		select {
		case <-r.done:
			return r.wait()
		default:
		}
		cr, err := c.Poll(context.Background(), 2*time.Second)
		if consumer.IsNoNewMsgError(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("Poll: %w", err)
		}
		for _, m := range cr.GetMsgList() {
			r.add(m)
		}
		c.ACK(context.Background(), cr, consumer.ConsumeSuccess)
	}
	return r.verdict()
}

func scenarioPullFrom(t *testing.T) error {
	topic := name("GoPullFrom")
	msgs, want := newMessages(topic, "pullfrom", 50, "TagA", "TagB")
	if err := sendAll(topic, name("GoPullFromProducer"), msgs); err != nil {
		return err
	}
	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver(cl.nameSrvs)))
	if err != nil {
		return fmt.Errorf("admin.NewAdmin: %w", err)
	}
	defer adm.Close()
	queues, err := adm.FetchPublishMessageQueues(context.Background(), topic)
	if err != nil {
		return fmt.Errorf("FetchPublishMessageQueues %s: %w", topic, err)
	}
	if len(queues) != 8 {
		return fmt.Errorf("topic %s has %d queues, want 8 (4 on each master)", topic, len(queues))
	}
	c, err := newPullConsumer(name("GoPullFromConsumer"), topic)
	if err != nil {
		return err
	}
	defer c.Shutdown()
	r := newReceiver(want)
	for _, q := range queues {
		if err := pullQueue(c, q, r); err != nil {
			return err
		}
	}
	return r.verdict()
}

// pullQueue pulls q from offset 0 to its end (bounded number of pulls). It stops at the
// maxOffset a FOUND result carries: the client sets the suspend flag, so a pull at the end of
// the queue is held by the broker for up to 20 s (long polling, as in PullMessageProcessor).
func pullQueue(c rocketmq.PullConsumer, q *primitive.MessageQueue, r *receiver) error {
	offset := int64(0)
	for i := 0; i < 100; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := c.PullFrom(ctx, q, offset, 16)
		cancel()
		if err != nil {
			return fmt.Errorf("PullFrom %s at %d: %w", q, offset, err)
		}
		switch res.Status {
		case primitive.PullFound:
			if len(res.GetMessageExts()) == 0 {
				return fmt.Errorf("PullFrom %s at %d: FOUND without messages", q, offset)
			}
			for _, m := range res.GetMessageExts() {
				if m.QueueOffset != offset {
					return fmt.Errorf("PullFrom %s: message at queue offset %d, want %d", q, m.QueueOffset, offset)
				}
				offset++
				r.add(m)
			}
			if res.NextBeginOffset != offset {
				return fmt.Errorf("PullFrom %s: nextBeginOffset %d, want %d", q, res.NextBeginOffset, offset)
			}
			if offset >= res.MaxOffset {
				return nil
			}
		case primitive.PullNoNewMsg:
			if res.MaxOffset != offset {
				return fmt.Errorf("PullFrom %s: NO_NEW_MSG at %d with maxOffset %d", q, offset, res.MaxOffset)
			}
			return nil
		default:
			return fmt.Errorf("PullFrom %s at %d: status %d (next %d, max %d)", q, offset, res.Status, res.NextBeginOffset, res.MaxOffset)
		}
	}
	return errors.New("PullFrom: more than 100 pulls for one queue")
}
