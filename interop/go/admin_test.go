package interop

// Admin scenarios with `admin.NewAdmin`: create a topic on both masters, see it in the route
// and in the name server's topic list, read a broker's subscription groups, delete the topic
// and see it gone.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/admin"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

func TestAdmin(t *testing.T) {
	t.Run("CreateListDeleteTopic", func(t *testing.T) { run(t, scenarioAdminTopic) })
	t.Run("GetAllSubscriptionGroup", func(t *testing.T) { run(t, scenarioAdminGroups) })
}

func newAdmin() (admin.Admin, error) {
	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver(cl.nameSrvs)))
	if err != nil {
		return nil, fmt.Errorf("admin.NewAdmin: %w", err)
	}
	return adm, nil
}

func topicListed(adm admin.Admin, topic string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := adm.FetchAllTopicList(ctx)
	if err != nil {
		return false, fmt.Errorf("FetchAllTopicList: %w", err)
	}
	for _, t := range list.TopicList {
		if t == topic {
			return true, nil
		}
	}
	return false, nil
}

func scenarioAdminTopic(t *testing.T) error {
	adm, err := newAdmin()
	if err != nil {
		return err
	}
	defer adm.Close()
	topic := name("GoAdminTopic")
	ctx := context.Background()
	for _, b := range masters() {
		err := adm.CreateTopic(ctx, admin.WithTopicCreate(topic), admin.WithBrokerAddrCreate(b.addr()),
			admin.WithReadQueueNums(3), admin.WithWriteQueueNums(3))
		if err != nil {
			return fmt.Errorf("CreateTopic %s on %s: %w", topic, b.addr(), err)
		}
	}
	if err := waitRoute(topic, []string{"broker-a", "broker-b"}); err != nil {
		return err
	}
	queues, err := adm.FetchPublishMessageQueues(ctx, topic)
	if err != nil {
		return fmt.Errorf("FetchPublishMessageQueues %s: %w", topic, err)
	}
	perBroker := map[string]int{}
	for _, q := range queues {
		perBroker[q.BrokerName]++
	}
	if len(queues) != 6 || perBroker["broker-a"] != 3 || perBroker["broker-b"] != 3 {
		return fmt.Errorf("publish queues of %s: %d %v, want 3 on each master", topic, len(queues), perBroker)
	}
	if ok, err := topicListed(adm, topic); err != nil || !ok {
		return fmt.Errorf("topic %s in the name server's topic list: %v (err %v)", topic, ok, err)
	}
	for _, b := range masters() {
		err := adm.DeleteTopic(ctx, admin.WithTopicDelete(topic), admin.WithBrokerAddrDelete(b.addr()),
			admin.WithNameSrvAddr(cl.nameSrvs))
		if err != nil {
			return fmt.Errorf("DeleteTopic %s on %s: %w", topic, b.addr(), err)
		}
	}
	for _, ns := range cl.nameSrvs {
		names, err := routeBrokers(ns, topic)
		if err != nil {
			return err
		}
		if names != nil {
			return fmt.Errorf("route of deleted topic %s still at %s: %v", topic, ns, names)
		}
	}
	if ok, err := topicListed(adm, topic); err != nil || ok {
		return fmt.Errorf("deleted topic %s still in the topic list: %v (err %v)", topic, ok, err)
	}
	return nil
}

func scenarioAdminGroups(t *testing.T) error {
	adm, err := newAdmin()
	if err != nil {
		return err
	}
	defer adm.Close()
	// A consumer's heartbeat creates its subscription group (autoCreateSubscriptionGroup).
	topic := name("GoAdminGroups")
	group := name("GoAdminGroup")
	msgs, want := newMessages(topic, "groups", 4)
	if err := sendAll(topic, name("GoAdminGroupsProducer"), msgs); err != nil {
		return err
	}
	if err := consumeAll(topic, group, everything, want); err != nil {
		return err
	}
	for _, b := range masters() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		w, err := adm.GetAllSubscriptionGroup(ctx, b.addr(), 5*time.Second)
		cancel()
		if err != nil {
			return fmt.Errorf("GetAllSubscriptionGroup %s: %w", b.addr(), err)
		}
		g, ok := w.SubscriptionGroupTable[group]
		if !ok {
			return fmt.Errorf("group %s not in the subscription groups of %s (%d groups)", group, b.addr(), len(w.SubscriptionGroupTable))
		}
		if g.GroupName != group || !g.ConsumeEnable {
			return fmt.Errorf("group %s at %s: %+v", group, b.addr(), g)
		}
		if w.DataVersion.Timestamp == 0 {
			return fmt.Errorf("subscription groups of %s without a dataVersion timestamp", b.addr())
		}
	}
	return nil
}
