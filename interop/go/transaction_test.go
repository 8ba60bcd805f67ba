package interop

// Transaction producer scenarios (`NewTransactionProducer`): half messages committed, rolled
// back, or left unknown and resolved by the broker's check-back (CHECK_TRANSACTION_STATE, 39)
// answered with END_TRANSACTION (37); consumers must see committed messages only.

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// txGuard bounds the waits of the transaction scenarios: the brokers check half messages back
// every 2 s (transactionCheckInterval), so 20 s is ample and keeps the expected failures short.
const txGuard = 20 * time.Second

func TestTransactionProducer(t *testing.T) {
	t.Run("Commit", func(t *testing.T) { run(t, scenarioTxCommit) })
	t.Run("Rollback", func(t *testing.T) { run(t, scenarioTxRollback) })
	t.Run("UnknownThenCheckBack", func(t *testing.T) { run(t, scenarioTxCheckBack) })
}

// txListener answers ExecuteLocalTransaction with local, and a check-back with commit for
// messages whose "txCommit" property is "true", rollback otherwise; it records check-backs.
type txListener struct {
	local primitive.LocalTransactionState

	mu      sync.Mutex
	checked map[string]int
	allIn   chan struct{}
	expect  int
	closed  bool
}

func newTxListener(local primitive.LocalTransactionState, expectChecks int) *txListener {
	return &txListener{local: local, checked: map[string]int{}, allIn: make(chan struct{}), expect: expectChecks}
}

func (l *txListener) ExecuteLocalTransaction(*primitive.Message) primitive.LocalTransactionState {
	return l.local
}

func (l *txListener) CheckLocalTransaction(m *primitive.MessageExt) primitive.LocalTransactionState {
	l.mu.Lock()
	l.checked[m.GetProperty("seq")]++
	if !l.closed && len(l.checked) >= l.expect {
		l.closed = true
		close(l.allIn)
	}
	l.mu.Unlock()
	if m.GetProperty("txCommit") == "true" {
		return primitive.CommitMessageState
	}
	return primitive.RollbackMessageState
}

func newTxProducer(group string, l *txListener) (rocketmq.TransactionProducer, error) {
	p, err := rocketmq.NewTransactionProducer(l, producerOptions(group)...)
	if err != nil {
		return nil, fmt.Errorf("NewTransactionProducer %s: %w", group, err)
	}
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("transaction producer %s Start: %w", group, err)
	}
	return p, nil
}

// sendTx sends msgs as half messages and checks each local state came back as want.
func sendTx(p rocketmq.TransactionProducer, msgs []*primitive.Message, want primitive.LocalTransactionState) error {
	for i, m := range msgs {
		res, err := p.SendMessageInTransaction(context.Background(), m)
		if err != nil {
			return fmt.Errorf("half message %d: %w", i, err)
		}
		if err := checkSendOK(res.SendResult, nil); err != nil {
			return fmt.Errorf("half message %d: %w", i, err)
		}
		if res.State != want {
			return fmt.Errorf("half message %d: local state %d, want %d", i, res.State, want)
		}
	}
	return nil
}

// sentinels sends n ordinary messages to topic: they show that the consumer works while it
// must not see any rolled-back message.
func sentinels(topic string, n int) (map[string]sent, error) {
	msgs, want := newMessages(topic, "sentinel", n, "TagS")
	p, err := newProducer(name("GoTxSentinel") + topic)
	if err != nil {
		return nil, err
	}
	defer p.Shutdown()
	for i, m := range msgs {
		if err := checkSendOK(p.SendSync(context.Background(), m)); err != nil {
			return nil, fmt.Errorf("sentinel %d: %w", i, err)
		}
	}
	return want, nil
}

func scenarioTxCommit(t *testing.T) error {
	topic := name("GoTxCommit")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newTxProducer(name("GoTxCommitProducer"), newTxListener(primitive.CommitMessageState, 0))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, want := newMessages(topic, "txcommit", 16, "TagT")
	if err := sendTx(p, msgs, primitive.CommitMessageState); err != nil {
		return err
	}
	r := newReceiver(want)
	group := name("GoTxCommitConsumer")
	c, err := pushConsumer(group, group, topic, everything, r.add)
	if err != nil {
		return err
	}
	defer c.Shutdown()
	return r.waitWithin(txGuard)
}

func scenarioTxRollback(t *testing.T) error {
	topic := name("GoTxRollback")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	p, err := newTxProducer(name("GoTxRollbackProducer"), newTxListener(primitive.RollbackMessageState, 0))
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, _ := newMessages(topic, "txrollback", 16, "TagT")
	if err := sendTx(p, msgs, primitive.RollbackMessageState); err != nil {
		return err
	}
	want, err := sentinels(topic, 8)
	if err != nil {
		return err
	}
	// A rolled-back message reaching the consumer is reported as unexpected.
	return consumeAll(topic, name("GoTxRollbackConsumer"), everything, want)
}

func scenarioTxCheckBack(t *testing.T) error {
	topic := name("GoTxCheck")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	const n = 12
	l := newTxListener(primitive.UnknowState, n)
	p, err := newTxProducer(name("GoTxCheckProducer"), l)
	if err != nil {
		return err
	}
	defer p.Shutdown()
	msgs, all := newMessages(topic, "txcheck", n, "TagT")
	want := map[string]sent{}
	for i, m := range msgs {
		commit := i%2 == 0
		m.WithProperty("txCommit", strconv.FormatBool(commit))
		s := all[m.GetProperty("seq")]
		s.Props["txCommit"] = strconv.FormatBool(commit)
		if commit {
			want[s.ID] = s
		}
	}
	if err := sendTx(p, msgs, primitive.UnknowState); err != nil {
		return err
	}
	// The consumer runs while the broker checks the half messages back.
	r := newReceiver(want)
	group := name("GoTxCheckConsumer")
	c, err := pushConsumer(group, group, topic, everything, r.add)
	if err != nil {
		return err
	}
	defer c.Shutdown()
	checks := make(chan error, 1)
	go func() { checks <- waitChecks(l, n) }()
	err = r.waitWithin(txGuard)
	checkErr := <-checks
	if err != nil {
		if checkErr != nil {
			return fmt.Errorf("%v; %w", checkErr, err)
		}
		return err
	}
	return checkErr
}

// waitChecks waits (bounded) until the broker checked back every one of n half messages.
func waitChecks(l *txListener, n int) error {
	select {
	case <-l.allIn:
		return nil
	case <-time.After(txGuard):
		l.mu.Lock()
		defer l.mu.Unlock()
		return fmt.Errorf("broker checked back %d of %d unknown half messages (CHECK_TRANSACTION_STATE)", len(l.checked), n)
	}
}
