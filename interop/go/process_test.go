package interop

// One child rocketactor process: started with its output copied line by line to a log file
// and kept in memory, so that the harness can wait on what it logs ("name server started",
// "broker started", "slave attached"). Children are stopped by PID only.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string

	mu      sync.Mutex
	lines   []string
	exited  chan struct{}
	waitErr error
}

// startChild starts bin with args, its output in logDir/name.log. The kernel sends SIGKILL to
// the child if the thread that started it dies (TestMain locks its thread), so a panicking or
// timed-out test binary leaves no process behind.
func startChild(bin, logDir, name string, args ...string) (*child, error) {
	logPath := filepath.Join(logDir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("log file of %s: %w", name, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("pipe for %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.Env = append(os.Environ(), "RUST_BACKTRACE=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		r.Close()
		w.Close()
		return nil, fmt.Errorf("start %s (%s %v): %w", name, bin, args, err)
	}
	w.Close()
	c := &child{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer f.Close()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(f, line)
			c.mu.Lock()
			c.lines = append(c.lines, line)
			c.mu.Unlock()
		}
		r.Close()
	}()
	go func() {
		err := cmd.Wait()
		<-readDone
		c.mu.Lock()
		c.waitErr = err
		c.mu.Unlock()
		close(c.exited)
	}()
	return c, nil
}

// findLog returns the first JSON log line whose "msg" is msg and whose fields match want.
func (c *child) findLog(msg string, want map[string]string) (map[string]any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, line := range c.lines {
		if !strings.Contains(line, msg) {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || m["msg"] != msg {
			continue
		}
		ok := true
		for k, v := range want {
			if fmt.Sprint(m[k]) != v {
				ok = false
				break
			}
		}
		if ok {
			return m, true
		}
	}
	return nil, false
}

// waitLog waits until the child logs msg (with fields want), fails early when it exits.
func (c *child) waitLog(msg string, want map[string]string, timeout time.Duration) (map[string]any, error) {
	deadline := time.Now().Add(timeout)
	for {
		if m, ok := c.findLog(msg, want); ok {
			return m, nil
		}
		select {
		case <-c.exited:
			if m, ok := c.findLog(msg, want); ok {
				return m, nil
			}
			return nil, fmt.Errorf("%s exited (%v) before logging %q; last lines:\n%s", c.name, c.exitErr(), msg, c.tail(15))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s did not log %q within %v; last lines:\n%s", c.name, msg, timeout, c.tail(15))
		}
	}
}

func (c *child) exitErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waitErr
}

// tail returns the last n lines the child printed.
func (c *child) tail(n int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	from := len(c.lines) - n
	if from < 0 {
		from = 0
	}
	return strings.Join(c.lines[from:], "\n")
}

// stop sends SIGTERM to this child's PID, then SIGKILL if it has not exited after a while.
func (c *child) stop() {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}
