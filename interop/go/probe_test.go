package interop

// A tiny RocketMQ remoting client used only to check the cluster's state from the outside
// (broker registered in a name server, topic route present), without going through the caches
// of the client under test. Frame layout as in Java's RemotingCommand (JSON header):
// int32 total length, int32 (serialize type << 24 | header length), header, body.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"regexp"
	"sync/atomic"
	"time"
)

// Request codes of org.apache.rocketmq.common.protocol.RequestCode used by the probe.
const (
	codeGetRouteInfoByTopic  = 105
	codeGetBrokerClusterInfo = 106
	codeGetAllTopicList      = 206
)

var probeOpaque atomic.Int32

type remotingHeader struct {
	Code      int               `json:"code"`
	Language  string            `json:"language"`
	Version   int               `json:"version"`
	Opaque    int32             `json:"opaque"`
	Flag      int               `json:"flag"`
	Remark    string            `json:"remark,omitempty"`
	ExtFields map[string]string `json:"extFields,omitempty"`
}

// probeReply is a decoded response: its code, remark and raw body.
type probeReply struct {
	Code   int
	Remark string
	Body   []byte
}

// invoke sends one request to addr (127.0.0.1 only) and reads its response.
func invoke(addr string, code int, ext map[string]string) (*probeReply, error) {
	conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		return nil, fmt.Errorf("probe dial %s: %w", addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return nil, fmt.Errorf("probe deadline %s: %w", addr, err)
	}
	hdr, err := json.Marshal(remotingHeader{Code: code, Language: "GO", Version: 317,
		Opaque: probeOpaque.Add(1), ExtFields: ext})
	if err != nil {
		return nil, fmt.Errorf("probe header: %w", err)
	}
	frame := make([]byte, 8+len(hdr))
	binary.BigEndian.PutUint32(frame[0:4], uint32(4+len(hdr)))
	binary.BigEndian.PutUint32(frame[4:8], uint32(len(hdr)))
	copy(frame[8:], hdr)
	if _, err := conn.Write(frame); err != nil {
		return nil, fmt.Errorf("probe write %s: %w", addr, err)
	}
	var lenBuf [4]byte
	if _, err := io.ReadFull(conn, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("probe read length from %s: %w", addr, err)
	}
	total := binary.BigEndian.Uint32(lenBuf[:])
	if total < 4 || total > 64<<20 {
		return nil, fmt.Errorf("probe: bad frame length %d from %s", total, addr)
	}
	buf := make([]byte, total)
	if _, err := io.ReadFull(conn, buf); err != nil {
		return nil, fmt.Errorf("probe read frame from %s: %w", addr, err)
	}
	hlen := binary.BigEndian.Uint32(buf[0:4]) & 0xFFFFFF
	if int(hlen) > len(buf)-4 {
		return nil, fmt.Errorf("probe: header length %d beyond frame from %s", hlen, addr)
	}
	var rh remotingHeader
	if err := json.Unmarshal(buf[4:4+hlen], &rh); err != nil {
		return nil, fmt.Errorf("probe: response header from %s: %w", addr, err)
	}
	return &probeReply{Code: rh.Code, Remark: rh.Remark, Body: buf[4+hlen:]}, nil
}

// clusterInfoHas reports whether the name server at ns lists brokerAddr in its cluster info.
func clusterInfoHas(ns, brokerAddr string) (bool, error) {
	r, err := invoke(ns, codeGetBrokerClusterInfo, nil)
	if err != nil {
		return false, err
	}
	if r.Code != 0 {
		return false, fmt.Errorf("GET_BROKER_CLUSTER_INFO from %s: code %d %s", ns, r.Code, r.Remark)
	}
	return regexp.MustCompile(`"` + regexp.QuoteMeta(brokerAddr) + `"`).Match(r.Body), nil
}

// routeBrokers returns the broker names in the queueDatas of topic's route at name server ns
// (nil when the name server has no route: TOPIC_NOT_EXIST).
func routeBrokers(ns, topic string) ([]string, error) {
	r, err := invoke(ns, codeGetRouteInfoByTopic, map[string]string{"topic": topic})
	if err != nil {
		return nil, err
	}
	if r.Code == 17 { // ResponseCode.TOPIC_NOT_EXIST
		return nil, nil
	}
	if r.Code != 0 {
		return nil, fmt.Errorf("GET_ROUTEINFO_BY_TOPIC %s from %s: code %d %s", topic, ns, r.Code, r.Remark)
	}
	// The body is fastjson (brokerAddrs has integer keys), so match instead of unmarshalling.
	q := regexp.MustCompile(`"queueDatas"\s*:\s*\[(.*?)\]`).FindSubmatch(r.Body)
	if q == nil {
		return nil, fmt.Errorf("route of %s from %s without queueDatas: %s", topic, ns, r.Body)
	}
	var names []string
	for _, m := range regexp.MustCompile(`"brokerName"\s*:\s*"([^"]+)"`).FindAllSubmatch(q[1], -1) {
		names = append(names, string(m[1]))
	}
	return names, nil
}
