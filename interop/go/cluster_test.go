package interop

// TestMain: the cluster every scenario runs against, made of real rocketactor processes on
// 127.0.0.1: two name servers (ports chosen by the OS, read back from their "name server
// started" log line), broker-a SYNC_MASTER + SYNC_FLUSH with its SLAVE broker-a-s, and
// broker-b ASYNC_MASTER + ASYNC_FLUSH, from broker.properties files in testdata/store.

import (
	"fmt"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/rlog"
)

const clusterName = "GoInteropCluster"

// startGuard bounds every wait of the cluster setup (a deadline against hangs, not a timing check).
const startGuard = 30 * time.Second

type broker struct {
	name  string
	id    int
	role  string
	port  int // listenPort; the fast channel is port-2, HA port+1
	props string
	proc  *child
}

func (b *broker) addr() string { return fmt.Sprintf("127.0.0.1:%d", b.port) }

type testCluster struct {
	bin      string
	logDir   string
	storeDir string
	nameSrvs []string
	children []*child
	brokerA  *broker
	brokerAS *broker
	brokerB  *broker
}

// cl is the running cluster, set by TestMain.
var cl *testCluster

// runID makes topic and group names unique across `-count=N` runs against one cluster.
var runID = fmt.Sprintf("%d", time.Now().UnixNano()%1_000_000_000)

func TestMain(m *testing.M) {
	// Children get Pdeathsig from this thread: keep it alive until the process ends.
	runtime.LockOSThread()
	code := runWithCluster(m)
	os.Exit(code)
}

func runWithCluster(m *testing.M) (code int) {
	c, err := newCluster()
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop setup: %v\n", err)
		return 1
	}
	defer func() {
		c.stopAll()
		if code != 0 {
			fmt.Fprintf(os.Stderr, "interop: child logs kept in %s\n", c.logDir)
		}
		_ = os.RemoveAll(c.storeDir)
	}()
	if err := c.start(); err != nil {
		fmt.Fprintf(os.Stderr, "interop setup: %v\ninterop: child logs in %s\n", err, c.logDir)
		return 1
	}
	cl = c
	return m.Run()
}

func newCluster() (*testCluster, error) {
	bin := os.Getenv("ROCKETACTOR_BIN")
	if bin == "" {
		bin = filepath.Join("..", "..", "target", "release", "rocketactor")
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, fmt.Errorf("ROCKETACTOR_BIN %q: %w", bin, err)
	}
	if st, err := os.Stat(abs); err != nil || st.IsDir() {
		return nil, fmt.Errorf("rocketactor binary not found at %s (set ROCKETACTOR_BIN or run `cargo build --release --bin rocketactor`): %v", abs, err)
	}
	logDir, err := filepath.Abs(filepath.Join("testdata", "logs"))
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(logDir); err != nil {
		return nil, fmt.Errorf("clear %s: %w", logDir, err)
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", logDir, err)
	}
	// Stores live in testdata/store (git-ignored), cleared at the start of each run, so that a
	// run killed by a panic or timeout leaves nothing behind beyond the next run.
	storeDir, err := filepath.Abs(filepath.Join("testdata", "store"))
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(storeDir); err != nil {
		return nil, fmt.Errorf("clear %s: %w", storeDir, err)
	}
	if err := os.MkdirAll(storeDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", storeDir, err)
	}
	if err := rlog.SetOutputPath(filepath.Join(logDir, "go-client.log")); err != nil {
		return nil, fmt.Errorf("client log: %w", err)
	}
	rlog.SetLogLevel("warn")
	return &testCluster{bin: abs, logDir: logDir, storeDir: storeDir}, nil
}

func (c *testCluster) start() error {
	for i := 1; i <= 2; i++ {
		addr, err := c.startNamesrv(fmt.Sprintf("namesrv-%d", i))
		if err != nil {
			return err
		}
		c.nameSrvs = append(c.nameSrvs, addr)
	}
	var err error
	if c.brokerA, err = c.startBroker("broker-a", 0, "SYNC_MASTER", "SYNC_FLUSH"); err != nil {
		return err
	}
	if c.brokerAS, err = c.startBroker("broker-a", 1, "SLAVE", "ASYNC_FLUSH"); err != nil {
		return err
	}
	if c.brokerB, err = c.startBroker("broker-b", 0, "ASYNC_MASTER", "ASYNC_FLUSH"); err != nil {
		return err
	}
	for _, b := range []*broker{c.brokerA, c.brokerAS, c.brokerB} {
		if err := c.waitRegistered(b); err != nil {
			return err
		}
	}
	// broker-a is a SYNC_MASTER: sends answer SLAVE_NOT_AVAILABLE until its slave is attached.
	if _, err := c.brokerA.proc.waitLog("slave attached", nil, startGuard); err != nil {
		return err
	}
	return nil
}

func (c *testCluster) startNamesrv(name string) (string, error) {
	p, err := startChild(c.bin, c.logDir, name, "namesrv", "--listen", "127.0.0.1:0", "--log-format", "json")
	if err != nil {
		return "", err
	}
	c.children = append(c.children, p)
	m, err := p.waitLog("name server started", nil, startGuard)
	if err != nil {
		return "", err
	}
	addr, _ := m["listen"].(string)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		return "", fmt.Errorf("%s: unexpected listen address %q", name, addr)
	}
	return addr, nil
}

// portTripleFree reports whether listenPort-2, listenPort and listenPort+1 are free on 127.0.0.1.
func portTripleFree(base int) bool {
	for _, p := range []int{base - 2, base, base + 1} {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// startBroker starts one broker, choosing a listen port whose triple is free and retrying
// with another one when the broker fails to bind anyway (a race with another process).
func (c *testCluster) startBroker(name string, id int, role, flush string) (*broker, error) {
	label := name
	if id > 0 {
		label = fmt.Sprintf("%s-s", name)
	}
	var lastErr error
	for attempt := 0; attempt < 8; attempt++ {
		base := 20000 + rand.Intn(30000)
		if !portTripleFree(base) {
			continue
		}
		b := &broker{name: name, id: id, role: role, port: base}
		dir := filepath.Join(c.storeDir, fmt.Sprintf("%s-%d", label, attempt))
		props, err := c.writeProperties(b, flush, dir)
		if err != nil {
			return nil, err
		}
		logName := label
		if attempt > 0 {
			logName = fmt.Sprintf("%s.attempt%d", label, attempt)
		}
		p, err := startChild(c.bin, c.logDir, logName, "--config", props, "--log-format", "json")
		if err != nil {
			return nil, err
		}
		c.children = append(c.children, p)
		b.proc = p
		b.props = props
		if _, err := p.waitLog("broker started", nil, startGuard); err != nil {
			lastErr = err
			p.stop()
			continue
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s did not start after 8 port choices: %v", label, lastErr)
}

func (c *testCluster) writeProperties(b *broker, flush, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("store dir %s: %w", dir, err)
	}
	lines := []string{
		"brokerClusterName=" + clusterName,
		"brokerName=" + b.name,
		fmt.Sprintf("brokerId=%d", b.id),
		"namesrvAddr=" + strings.Join(c.nameSrvs, ";"),
		"brokerIP1=127.0.0.1",
		"brokerIP2=127.0.0.1",
		"bindAddress=127.0.0.1",
		fmt.Sprintf("listenPort=%d", b.port),
		"defaultTopicQueueNums=4",
		"autoCreateTopicEnable=true",
		"autoCreateSubscriptionGroup=true",
		"mappedFileSizeCommitLog=16777216",
		"mappedFileSizeConsumeQueue=300000",
		"storePathRootDir=" + dir,
		"storePathCommitLog=" + filepath.Join(dir, "commitlog"),
		"storePathConsumeQueue=" + filepath.Join(dir, "consumequeue"),
		"storePathIndex=" + filepath.Join(dir, "index"),
		"storeCheckpoint=" + filepath.Join(dir, "checkpoint"),
		"abortFile=" + filepath.Join(dir, "abort"),
		// Half messages are checked back after 2 s instead of Java's 6 s timeout / 60 s period.
		"transactionTimeOut=2000",
		"transactionCheckInterval=2000",
		"brokerRole=" + b.role,
		"flushDiskType=" + flush,
	}
	path := filepath.Join(dir, "broker.properties")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// waitRegistered waits until both name servers list the broker's address.
func (c *testCluster) waitRegistered(b *broker) error {
	for _, ns := range c.nameSrvs {
		err := waitFor(startGuard, func() (bool, error) {
			return clusterInfoHas(ns, b.addr())
		})
		if err != nil {
			return fmt.Errorf("%s (%s) not registered in %s: %w", b.name, b.addr(), ns, err)
		}
	}
	return nil
}

// restartBroker stops b (SIGTERM to its PID) and starts it again on the same properties file,
// ports and store, then waits until both name servers list it again.
func (c *testCluster) restartBroker(b *broker, logName string) error {
	b.proc.stop()
	for _, ns := range c.nameSrvs {
		err := waitFor(startGuard, func() (bool, error) {
			has, err := clusterInfoHas(ns, b.addr())
			return err == nil && !has, err
		})
		if err != nil {
			return fmt.Errorf("%s still listed by %s after its stop: %w", b.addr(), ns, err)
		}
	}
	p, err := startChild(c.bin, c.logDir, logName, "--config", b.props, "--log-format", "json")
	if err != nil {
		return err
	}
	c.children = append(c.children, p)
	b.proc = p
	if _, err := p.waitLog("broker started", nil, startGuard); err != nil {
		return err
	}
	return c.waitRegistered(b)
}

// stopAll stops every child this harness started, by PID, brokers before name servers.
func (c *testCluster) stopAll() {
	for i := len(c.children) - 1; i >= 0; i-- {
		c.children[i].stop()
	}
}

// waitFor polls cond until it holds or the deadline passes (an error of cond is kept as the
// reason and polling goes on: servers may still be starting).
func waitFor(timeout time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("condition not met within %v: %w", timeout, last)
			}
			return fmt.Errorf("condition not met within %v", timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
