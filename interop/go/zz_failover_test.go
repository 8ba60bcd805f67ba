package interop

// Failover: with broker-a's master stopped, a producer sends everything to broker-b; broker-a's
// master is restarted on its store and ports, and a new group then consumes what was sent
// before and during the outage, each message once. The file name makes `go test` run this
// last, so that no other scenario sees the cluster degraded.
//
// Consuming from broker-a's slave while its master is down is not tried: rocketmq-client-go
// v2.1.2 reads and commits consumer offsets on the master only (FindBrokerAddrByName), so it
// cannot rebalance onto a master-less broker whatever the broker does.

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/rocketmq-client-go/v2/primitive"
)

func TestFailover(t *testing.T) {
	t.Run("SendWhileMasterDownThenRestart", func(t *testing.T) { run(t, scenarioMasterDown) })
}

// sendCounting sends msgs with a fresh producer and counts the messages per broker.
func sendCounting(group string, msgs []*primitive.Message) (map[string]int, error) {
	p, err := newProducer(group)
	if err != nil {
		return nil, err
	}
	defer p.Shutdown()
	perBroker := map[string]int{}
	for i, m := range msgs {
		res, err := p.SendSync(context.Background(), m)
		if err := checkSendOK(res, err); err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
		perBroker[res.MessageQueue.BrokerName]++
	}
	return perBroker, nil
}

func scenarioMasterDown(t *testing.T) (err error) {
	topic := name("GoFailover")
	if err := createTopic(topic, 4, false); err != nil {
		return err
	}
	msgs, want := newMessages(topic, "failover", 60, "TagA", "TagB")
	before, err := sendCounting(name("GoFailoverProducer1"), msgs[:30])
	if err != nil {
		return err
	}
	if before["broker-a"] == 0 || before["broker-b"] == 0 {
		return fmt.Errorf("sends before the outage reached %v, want both masters", before)
	}
	cl.brokerA.proc.stop()
	restarted := false
	defer func() {
		if restarted {
			return
		}
		if rerr := cl.restartBroker(cl.brokerA, "broker-a.restarted"); rerr != nil && err == nil {
			err = fmt.Errorf("restart of broker-a: %w", rerr)
		}
	}()
	for _, ns := range cl.nameSrvs {
		err := waitFor(startGuard, func() (bool, error) {
			has, err := clusterInfoHas(ns, cl.brokerA.addr())
			return err == nil && !has, err
		})
		if err != nil {
			return fmt.Errorf("stopped master %s still listed by %s: %w", cl.brokerA.addr(), ns, err)
		}
	}
	during, err := sendCounting(name("GoFailoverProducer2"), msgs[30:])
	if err != nil {
		return fmt.Errorf("sending with broker-a's master down: %w", err)
	}
	if during["broker-a"] != 0 {
		return fmt.Errorf("sends during the outage reached %v, want broker-b only", during)
	}
	restarted = true
	if err := cl.restartBroker(cl.brokerA, "broker-a.restarted"); err != nil {
		return fmt.Errorf("restart of broker-a: %w", err)
	}
	if _, err := cl.brokerA.proc.waitLog("slave attached", nil, startGuard); err != nil {
		return err
	}
	if err := waitRoute(topic, []string{"broker-a", "broker-b"}); err != nil {
		return err
	}
	return consumeAll(topic, name("GoFailoverConsumer"), everything, want)
}
