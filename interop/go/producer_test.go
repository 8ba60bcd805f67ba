package interop

// Producer scenarios: sync, async and batch sends with tags, keys and user properties, each
// checked by consuming the topic and comparing every message with what was sent.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
)

func TestProducer(t *testing.T) {
	t.Run("SyncSend", func(t *testing.T) { run(t, scenarioSyncSend) })
	t.Run("AsyncSend", func(t *testing.T) { run(t, scenarioAsyncSend) })
	t.Run("BatchSend", func(t *testing.T) { run(t, scenarioBatchSend) })
}

func scenarioSyncSend(t *testing.T) error {
	topic := name("GoSync")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newProducer(name("GoSyncProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, want := newMessages(topic, "sync", 48, "TagA", "TagB")
	brokers := map[string]int{}
	for i, m := range msgs {
		res, err := p.SendSync(context.Background(), m)
		if err := checkSendOK(res, err); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		brokers[res.MessageQueue.BrokerName]++
	}
	if len(brokers) != 2 {
		return fmt.Errorf("sync sends reached brokers %v, want both broker-a and broker-b", brokers)
	}
	return consumeAll(topic, name("GoSyncConsumer"), everything, want)
}

func scenarioAsyncSend(t *testing.T) error {
	topic := name("GoAsync")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newProducer(name("GoAsyncProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, want := newMessages(topic, "async", 64, "TagA", "TagB", "TagC")
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for i, m := range msgs {
		wg.Add(1)
		i := i
		err := p.SendAsync(context.Background(), func(_ context.Context, res *primitive.SendResult, err error) {
			defer wg.Done()
			if err := checkSendOK(res, err); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("message %d: %w", i, err))
				mu.Unlock()
			}
		}, m)
		if err != nil {
			wg.Done()
			return fmt.Errorf("SendAsync %d: %w", i, err)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(consumeGuard):
		return fmt.Errorf("async send callbacks did not all arrive within %v", consumeGuard)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d async sends failed, first: %w", len(errs), errs[0])
	}
	return consumeAll(topic, name("GoAsyncConsumer"), everything, want)
}

func scenarioBatchSend(t *testing.T) error {
	topic := name("GoBatch")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newProducer(name("GoBatchProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, want := newMessages(topic, "batch", 60, "TagA", "TagB")
	const batch = 10
	for i := 0; i < len(msgs); i += batch {
		res, err := p.SendSync(context.Background(), msgs[i:i+batch]...)
		if err := checkSendOK(res, err); err != nil {
			return fmt.Errorf("batch at %d: %w", i, err)
		}
		// SendMessageProcessor answers a batch with one offset msgId per message, comma-joined.
		if ids := strings.Split(res.OffsetMsgID, ","); len(ids) != batch {
			return fmt.Errorf("batch at %d: %d offset msgIds %q, want %d", i, len(ids), res.OffsetMsgID, batch)
		}
	}
	return consumeAll(topic, name("GoBatchConsumer"), everything, want)
}
