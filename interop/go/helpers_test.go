package interop

// Shared pieces of the scenarios: expected failures (xfail), client options pointing at the
// test cluster, topic creation on both masters, the messages a scenario sends and the check
// that every one of them was consumed exactly once with body, tags, keys and properties intact.

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/admin"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// consumeGuard bounds how long a scenario waits for its messages (a hang guard, not a timing check).
const consumeGuard = 60 * time.Second

// settle is how long a consumer keeps running after the last expected message arrived, so that
// duplicates or filtered-out messages delivered late are seen and counted.
const settle = 1500 * time.Millisecond

// xfail runs a scenario that is expected to fail because of a missing feature of ours: an error
// becomes a skip naming why, a nil error fails the test so that the marker gets removed.
func xfail(t *testing.T, why string, fn func(t *testing.T) error) {
	t.Helper()
	if err := fn(t); err != nil {
		t.Skipf("expected failure: %s :: %v", why, err)
	}
	t.Fatalf("unexpectedly passed: remove xfail (%s)", why)
}

// run runs a scenario that must pass.
func run(t *testing.T, fn func(t *testing.T) error) {
	t.Helper()
	if err := fn(t); err != nil {
		t.Fatal(err)
	}
}

// name returns a topic or group name unique to this run.
func name(prefix string) string { return fmt.Sprintf("%s_%s", prefix, runID) }

func nameServers() primitive.NamesrvAddr { return primitive.NamesrvAddr(cl.nameSrvs) }

// masters are the brokers a topic is created on.
func masters() []*broker { return []*broker{cl.brokerA, cl.brokerB} }

// createTopic creates topic with queues read/write queues on both masters and waits until
// both name servers route it to both.
func createTopic(topic string, queues int, order bool) error {
	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver(cl.nameSrvs)))
	if err != nil {
		return fmt.Errorf("admin.NewAdmin: %w", err)
	}
	defer adm.Close()
	for _, b := range masters() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := adm.CreateTopic(ctx, admin.WithTopicCreate(topic), admin.WithBrokerAddrCreate(b.addr()),
			admin.WithReadQueueNums(queues), admin.WithWriteQueueNums(queues), admin.WithOrder(order))
		cancel()
		if err != nil {
			return fmt.Errorf("CreateTopic %s on %s: %w", topic, b.addr(), err)
		}
	}
	return waitRoute(topic, []string{"broker-a", "broker-b"})
}

// waitRoute waits until every name server routes topic to exactly the brokers want.
func waitRoute(topic string, want []string) error {
	sort.Strings(want)
	for _, ns := range cl.nameSrvs {
		var got []string
		err := waitFor(startGuard, func() (bool, error) {
			names, err := routeBrokers(ns, topic)
			if err != nil {
				return false, err
			}
			sort.Strings(names)
			got = names
			return strings.Join(names, ",") == strings.Join(want, ","), nil
		})
		if err != nil {
			return fmt.Errorf("route of %s at %s: want brokers %v, last seen %v: %w", topic, ns, want, got, err)
		}
	}
	return nil
}

// sent is what a scenario sent, by the unique id carried in the "seq" property.
type sent struct {
	ID    string
	Body  string
	Tag   string
	Keys  []string
	Props map[string]string
}

// newMessages builds n messages of topic with distinct bodies, keys and user properties,
// tags taken in turn from tags.
func newMessages(topic, prefix string, n int, tags ...string) ([]*primitive.Message, map[string]sent) {
	msgs := make([]*primitive.Message, 0, n)
	want := make(map[string]sent, n)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%s-%d", prefix, i)
		s := sent{
			ID:   id,
			Body: fmt.Sprintf("body of %s: %s", id, strings.Repeat("x", i%17)),
			Keys: []string{"key-" + id, "alt-" + id},
			Props: map[string]string{
				"seq":       id,
				"userColor": []string{"red", "green", "blue"}[i%3],
				"userIndex": fmt.Sprint(i),
			},
		}
		if len(tags) > 0 {
			s.Tag = tags[i%len(tags)]
		}
		m := primitive.NewMessage(topic, []byte(s.Body))
		if s.Tag != "" {
			m.WithTag(s.Tag)
		}
		m.WithKeys(s.Keys)
		// One by one: WithProperties would replace the map holding tags and keys.
		for k, v := range s.Props {
			m.WithProperty(k, v)
		}
		msgs = append(msgs, m)
		want[id] = s
	}
	return msgs, want
}

// receiver collects consumed messages and checks them against what was sent.
type receiver struct {
	mu       sync.Mutex
	want     map[string]sent
	topic    string // when set, every message must arrive with this topic
	got      map[string]int
	problems []string
	done     chan struct{}
	closed   bool
}

func newReceiver(want map[string]sent) *receiver {
	return &receiver{want: want, got: map[string]int{}, done: make(chan struct{})}
}

// add records one consumed message, checking its content against what was sent.
func (r *receiver) add(m *primitive.MessageExt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := m.GetProperty("seq")
	s, ok := r.want[id]
	if !ok {
		r.problems = append(r.problems, fmt.Sprintf("unexpected message id=%q tag=%q msgId=%s", id, m.GetTags(), m.MsgId))
		return
	}
	r.got[id]++
	if r.got[id] > 1 {
		r.problems = append(r.problems, fmt.Sprintf("%s consumed %d times", id, r.got[id]))
	}
	if string(m.Body) != s.Body {
		r.problems = append(r.problems, fmt.Sprintf("%s: body %q, sent %q", id, m.Body, s.Body))
	}
	if m.GetTags() != s.Tag {
		r.problems = append(r.problems, fmt.Sprintf("%s: tag %q, sent %q", id, m.GetTags(), s.Tag))
	}
	if keys := strings.Join(s.Keys, primitive.PropertyKeySeparator); m.GetKeys() != keys {
		r.problems = append(r.problems, fmt.Sprintf("%s: keys %q, sent %q", id, m.GetKeys(), keys))
	}
	for k, v := range s.Props {
		if got := m.GetProperty(k); got != v {
			r.problems = append(r.problems, fmt.Sprintf("%s: property %s=%q, sent %q", id, k, got, v))
		}
	}
	if m.MsgId == "" || m.Topic == "" {
		r.problems = append(r.problems, fmt.Sprintf("%s: empty msgId %q or topic %q", id, m.MsgId, m.Topic))
	}
	if r.topic != "" && m.Topic != r.topic {
		r.problems = append(r.problems, fmt.Sprintf("%s: topic %q, sent to %q", id, m.Topic, r.topic))
	}
	if !r.closed && len(r.got) == len(r.want) {
		r.closed = true
		close(r.done)
	}
}

// wait waits until every expected message arrived (bounded), lets late duplicates settle, and
// returns an error listing what is missing or wrong.
func (r *receiver) wait() error { return r.waitWithin(consumeGuard) }

// waitWithin is wait with another hang guard.
func (r *receiver) waitWithin(guard time.Duration) error {
	select {
	case <-r.done:
		time.Sleep(settle)
	case <-time.After(guard):
	}
	return r.verdict()
}

func (r *receiver) verdict() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var missing []string
	for id := range r.want {
		if r.got[id] == 0 {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) == 0 && len(r.problems) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "consumed %d of %d distinct messages", len(r.got), len(r.want))
	if len(missing) > 0 {
		fmt.Fprintf(&b, "; missing %d: %s", len(missing), head(missing, 10))
	}
	if len(r.problems) > 0 {
		fmt.Fprintf(&b, "; %d problems: %s", len(r.problems), head(r.problems, 10))
	}
	return fmt.Errorf("%s", b.String())
}

func head(xs []string, n int) string {
	if len(xs) > n {
		return strings.Join(xs[:n], "; ") + fmt.Sprintf("; ... (%d more)", len(xs)-n)
	}
	return strings.Join(xs, "; ")
}
