package interop

// Client constructors of rocketmq-client-go/v2 configured for the test cluster, each with its
// own instance name so that producers and consumers of different scenarios never share one
// internal client.

import (
	"context"
	"fmt"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
)

func producerOptions(group string, extra ...producer.Option) []producer.Option {
	return append([]producer.Option{
		producer.WithNsResolver(primitive.NewPassthroughResolver(cl.nameSrvs)),
		producer.WithGroupName(group),
		producer.WithInstanceName(group),
		producer.WithRetry(2),
		producer.WithSendMsgTimeout(10 * time.Second),
	}, extra...)
}

func newProducer(group string, extra ...producer.Option) (rocketmq.Producer, error) {
	p, err := rocketmq.NewProducer(producerOptions(group, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("NewProducer %s: %w", group, err)
	}
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("producer %s Start: %w", group, err)
	}
	return p, nil
}

// newPushConsumerRaw builds (does not start) a push consumer of group, one message per call.
func newPushConsumerRaw(group string, extra ...consumer.Option) (rocketmq.PushConsumer, error) {
	opts := append([]consumer.Option{
		consumer.WithNsResolver(primitive.NewPassthroughResolver(cl.nameSrvs)),
		consumer.WithGroupName(group),
		consumer.WithInstance(group),
		consumer.WithConsumerModel(consumer.Clustering),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
		consumer.WithConsumeMessageBatchMaxSize(1),
	}, extra...)
	c, err := rocketmq.NewPushConsumer(opts...)
	if err != nil {
		return nil, fmt.Errorf("NewPushConsumer %s: %w", group, err)
	}
	return c, nil
}

// pushConsumer starts a push consumer of group on topic that hands every message to onMsg.
func pushConsumer(group, instance, topic string, sel consumer.MessageSelector, onMsg func(*primitive.MessageExt), extra ...consumer.Option) (rocketmq.PushConsumer, error) {
	opts := append([]consumer.Option{
		consumer.WithNsResolver(primitive.NewPassthroughResolver(cl.nameSrvs)),
		consumer.WithGroupName(group),
		consumer.WithInstance(instance),
		consumer.WithConsumerModel(consumer.Clustering),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	}, extra...)
	c, err := rocketmq.NewPushConsumer(opts...)
	if err != nil {
		return nil, fmt.Errorf("NewPushConsumer %s: %w", group, err)
	}
	err = c.Subscribe(topic, sel, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for _, m := range msgs {
			onMsg(m)
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		return nil, fmt.Errorf("Subscribe %s/%s: %w", group, topic, err)
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("push consumer %s Start: %w", group, err)
	}
	return c, nil
}

// consumeAll consumes topic with a fresh push consumer group (everything from the first
// offset) and checks that exactly the messages of want arrived, intact.
func consumeAll(topic, group string, sel consumer.MessageSelector, want map[string]sent) error {
	r := newReceiver(want)
	c, err := pushConsumer(group, group, topic, sel, r.add)
	if err != nil {
		return err
	}
	defer c.Shutdown()
	return r.wait()
}

// everything subscribes to all tags.
var everything = consumer.MessageSelector{Type: consumer.TAG, Expression: "*"}

// checkSendOK checks one send result.
func checkSendOK(res *primitive.SendResult, err error) error {
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if res.Status != primitive.SendOK {
		return fmt.Errorf("send status %d (want SEND_OK): %s", res.Status, res.String())
	}
	// A batch has no client msgId of its own (the client joins the unique keys of the batch
	// message itself, which has none); the broker's offset msgId is always there.
	if res.OffsetMsgID == "" || res.MessageQueue == nil {
		return fmt.Errorf("send result without offsetMsgId or queue: %s", res.String())
	}
	return nil
}
