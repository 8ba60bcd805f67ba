package interop

// Push consumer scenarios: clustering (two consumers of one group share the queues, every
// message consumed once by the group), tag filter (`TagA || TagB`), and orderly consumption
// (an ordered producer with a sharding-key queue selector, the per-key order kept).

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
)

func TestPushConsumer(t *testing.T) {
	t.Run("Clustering", func(t *testing.T) { run(t, scenarioClustering) })
	t.Run("TagFilter", func(t *testing.T) { run(t, scenarioTagFilter) })
	t.Run("Orderly", func(t *testing.T) { run(t, scenarioOrderly) })
}

// allocWatch wraps the average allocation strategy to see each rebalance of one consumer on
// topic (its %RETRY% topic is rebalanced through the same strategy).
type allocWatch struct {
	topic     string
	mu        sync.Mutex
	consumers int
	queues    int
	mine      int
}

func (w *allocWatch) strategy(group, cid string, mqAll []*primitive.MessageQueue, cidAll []string) []*primitive.MessageQueue {
	mine := consumer.AllocateByAveragely(group, cid, mqAll, cidAll)
	if len(mqAll) == 0 || mqAll[0].Topic != w.topic {
		return mine
	}
	w.mu.Lock()
	w.consumers, w.queues, w.mine = len(cidAll), len(mqAll), len(mine)
	w.mu.Unlock()
	return mine
}

func (w *allocWatch) state() (int, int, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.consumers, w.queues, w.mine
}

func scenarioClustering(t *testing.T) error {
	topic := name("GoCluster")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	msgs, want := newMessages(topic, "cluster", 80, "TagA", "TagB")
	r := newReceiver(want)
	group := name("GoClusterGroup")
	var (
		mu     sync.Mutex
		counts = map[string]int{}
	)
	watches := []*allocWatch{{topic: topic}, {topic: topic}}
	for i, w := range watches {
		inst := fmt.Sprintf("%s_c%d", group, i)
		c, err := pushConsumer(group, inst, topic, everything, func(m *primitive.MessageExt) {
			mu.Lock()
			counts[inst]++
			mu.Unlock()
			r.add(m)
		}, consumer.WithStrategy(w.strategy))
		if err != nil {
			return err
		}
		defer c.Shutdown()
	}
	// Send only once both consumers rebalanced over both members and the 8 queues, so that no
	// queue changes hands (and gets consumed twice) while messages flow.
	err := waitFor(consumeGuard, func() (bool, error) {
		for _, w := range watches {
			if n, q, mine := w.state(); n != 2 || q != 8 || mine != 4 {
				return false, fmt.Errorf("last rebalance saw %d consumers, %d queues, kept %d", n, q, mine)
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("group %s did not rebalance over 2 consumers: %w", group, err)
	}
	p, err := newProducer(name("GoClusterProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	for i, m := range msgs {
		if err := checkSendOK(p.SendSync(context.Background(), m)); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	if err := r.wait(); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if len(counts) != 2 {
		return fmt.Errorf("messages per consumer %v: want both consumers of the group to get some", counts)
	}
	t.Logf("messages per consumer: %v", counts)
	return nil
}

func scenarioTagFilter(t *testing.T) error {
	topic := name("GoTags")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newProducer(name("GoTagsProducer"))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, all := newMessages(topic, "tags", 90, "TagA", "TagB", "TagC")
	want := map[string]sent{}
	for id, s := range all {
		if s.Tag != "TagC" {
			want[id] = s
		}
	}
	for i, m := range msgs {
		if err := checkSendOK(p.SendSync(context.Background(), m)); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	// A TagC message reaching the listener is reported by the receiver as unexpected.
	sel := consumer.MessageSelector{Type: consumer.TAG, Expression: "TagA || TagB"}
	return consumeAll(topic, name("GoTagsConsumer"), sel, want)
}

func scenarioOrderly(t *testing.T) error {
	topic := name("GoOrder")
	if err := createTopic(topic, 4, true); err != nil {
		return err
	}
	p, err := newProducer(name("GoOrderProducer"), producer.WithQueueSelector(producer.NewHashQueueSelector()))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	const keys = 6
	msgs, want := newMessages(topic, "order", 120, "TagA", "TagB")
	queueOf := map[string]string{}
	for i, m := range msgs {
		key := fmt.Sprintf("order-key-%d", i%keys)
		m.WithShardingKey(key)
		m.WithProperty("orderKey", key)
		m.WithProperty("orderSeq", strconv.Itoa(i/keys))
		s := want[m.GetProperty("seq")]
		s.Props["orderKey"] = key
		s.Props["orderSeq"] = strconv.Itoa(i / keys)
		res, err := p.SendSync(context.Background(), m)
		if err := checkSendOK(res, err); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		q := res.MessageQueue.String()
		if prev, ok := queueOf[key]; ok && prev != q {
			return fmt.Errorf("key %s went to %s and %s: the selector must keep a key on one queue", key, prev, q)
		}
		queueOf[key] = q
	}
	r := newReceiver(want)
	var (
		mu       sync.Mutex
		next     = map[string]int{}
		problems []string
	)
	group := name("GoOrderConsumer")
	c, err := pushConsumer(group, group, topic, everything, func(m *primitive.MessageExt) {
		key := m.GetProperty("orderKey")
		seq, _ := strconv.Atoi(m.GetProperty("orderSeq"))
		mu.Lock()
		if seq != next[key] {
			problems = append(problems, fmt.Sprintf("key %s: got seq %d, want %d", key, seq, next[key]))
		}
		next[key] = seq + 1
		mu.Unlock()
		r.add(m)
	}, consumer.WithConsumerOrder(true))
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
		return fmt.Errorf("order broken: %s", head(problems, 10))
	}
	return nil
}
