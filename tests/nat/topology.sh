#!/usr/bin/env bash
# The seed's deployment as network namespaces: two "physical" hosts on a public segment, three
# "VMs" on a private subnet behind host2's NAT (VMware-style port forwards), and a client.
# Driven by tests/nat_netns.rs; usable by hand too (as root):
#
#   tests/nat/topology.sh probe PREFIX            can this machine build it? (exit 0 = yes)
#   tests/nat/topology.sh up PREFIX HOSTS_FILE    build it; HOSTS_FILE becomes /etc/netns/<ns>/hosts
#   tests/nat/topology.sh unforward PREFIX PORT   delete host2's port forward of PORT
#   tests/nat/topology.sh down PREFIX             remove everything PREFIX-* (idempotent)
#
# Addresses (198.18.0.0/15 only, the benchmarking range; nothing here routes elsewhere):
#   public 198.18.0.0/24 (a bridge in PREFIX-pub):
#     host1  198.18.0.1   name server 1, master broker-a
#     host2  198.18.0.2   NAT router (public side)
#     client 198.18.0.100
#   private 198.19.0.0/24 (a bridge in host2, like VMware's vmnet8):
#     host2  198.19.0.1   gateway of the VMs
#     vm1    198.19.0.11  name server 2, slave broker-a (listenPort 11913)
#     vm2    198.19.0.12  master broker-b (listenPort 10911)
#     vm3    198.19.0.13  slave broker-b (listenPort 12915)
#   host2 forwards (DNAT) 198.18.0.2:PORT to the VM for 9876 and each VM broker's listenPort,
#   listenPort-2 and listenPort+1, masquerades the VMs' outgoing traffic and hairpins VM traffic
#   addressed to its own public address back into the private subnet.
set -euo pipefail

PUB_NET=198.18.0
PRIV_NET=198.19.0
HOST1=$PUB_NET.1
HOST2_PUB=$PUB_NET.2
CLIENT=$PUB_NET.100
HOST2_PRIV=$PRIV_NET.1
VM1=$PRIV_NET.11
VM2=$PRIV_NET.12
VM3=$PRIV_NET.13
NAT_TABLE=seed_nat

# port -> VM address: name server 2, then each VM broker's listenPort-2, listenPort, listenPort+1.
FORWARDS=(
  "9876 $VM1"
  "11911 $VM1" "11913 $VM1" "11914 $VM1"
  "10909 $VM2" "10911 $VM2" "10912 $VM2"
  "12913 $VM3" "12915 $VM3" "12916 $VM3"
)
# NAT_SAME_PORT=1: every VM broker listens on 10911 (fast 10909, HA 10912) and host2 maps
# the distinct outer ports onto them (the brokers advertise the outer ones: brokerAdvertisedPort).
if [ "${NAT_SAME_PORT:-}" = 1 ]; then
  FORWARDS=(
    "9876 $VM1"
    "11911 $VM1 10909" "11913 $VM1 10911" "11914 $VM1 10912"
    "10909 $VM2" "10911 $VM2" "10912 $VM2"
    "12913 $VM3 10909" "12915 $VM3 10911" "12916 $VM3 10912"
  )
fi

die() { echo "topology.sh: $*" >&2; exit 1; }

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# veth between two namespaces, named inside each; no name is ever taken in the caller's namespace.
veth() { ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"; }

probe() {
  local p=$1 ns="$1-probe"
  [ "$(id -u)" = 0 ] || die "not root"
  command -v ip >/dev/null || die "no ip (iproute2)"
  command -v nft >/dev/null || die "no nft (nftables)"
  ip netns add "$ns" || die "ip netns add failed"
  local ok=1
  in_ns "$ns" ip link add br0 type bridge || { echo "topology.sh: bridge devices unavailable" >&2; ok=0; }
  if [ $ok = 1 ]; then
    in_ns "$ns" nft -f - <<EOF || { echo "topology.sh: nftables NAT unavailable" >&2; ok=0; }
table ip probe_nat {
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; tcp dport 1 dnat to $VM1; }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; ip saddr $PRIV_NET.0/24 masquerade; }
}
EOF
  fi
  ip netns del "$ns" || true
  [ $ok = 1 ] || exit 1
  : "$p"
}

up() {
  local p=$1 hosts=$2
  [ -f "$hosts" ] || die "hosts file $hosts missing"
  local NS_PUB=$p-pub NS_H1=$p-host1 NS_H2=$p-host2 NS_CL=$p-client
  local ns
  for ns in "$NS_PUB" "$NS_H1" "$NS_H2" "$p-vm1" "$p-vm2" "$p-vm3" "$NS_CL"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
    mkdir -p "/etc/netns/$ns"
    cp "$hosts" "/etc/netns/$ns/hosts"
  done

  # Public segment: a switch namespace with one bridge.
  in_ns "$NS_PUB" ip link add br0 type bridge
  in_ns "$NS_PUB" ip link set br0 up
  local pair
  for pair in "$NS_H1:$HOST1:h1" "$NS_H2:$HOST2_PUB:h2" "$NS_CL:$CLIENT:cl"; do
    IFS=: read -r ns addr port <<<"$pair"
    veth "$ns" pub0 "$NS_PUB" "$port"
    in_ns "$NS_PUB" ip link set "$port" master br0 up
    in_ns "$ns" ip addr add "$addr/24" dev pub0
    in_ns "$ns" ip link set pub0 up
  done

  # Private segment: a bridge inside host2, the VMs' default gateway.
  in_ns "$NS_H2" ip link add vmnet8 type bridge
  in_ns "$NS_H2" ip addr add "$HOST2_PRIV/24" dev vmnet8
  in_ns "$NS_H2" ip link set vmnet8 up
  local i addrs=("$VM1" "$VM2" "$VM3")
  for i in 1 2 3; do
    ns=$p-vm$i
    veth "$ns" eth0 "$NS_H2" "vm$i"
    in_ns "$NS_H2" ip link set "vm$i" master vmnet8 up
    # Hairpin: with br_netfilter loaded, a VM's connection to host2's public address that is
    # forwarded back to that same VM is bridged out of the port it came in on.
    in_ns "$NS_H2" ip link set "vm$i" type bridge_slave hairpin on
    in_ns "$ns" ip addr add "${addrs[$((i - 1))]}/24" dev eth0
    in_ns "$ns" ip link set eth0 up
    in_ns "$ns" ip route add default via "$HOST2_PRIV"
  done

  # host2 routes between the two and does the NAT.
  in_ns "$NS_H2" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
  {
    echo "table ip $NAT_TABLE {"
    echo "  chain prerouting {"
    echo "    type nat hook prerouting priority dstnat; policy accept;"
    local f port vm inner
    for f in "${FORWARDS[@]}"; do
      read -r port vm inner <<<"$f"
      echo "    ip daddr $HOST2_PUB tcp dport $port dnat to $vm:${inner:-$port} comment \"fwd-$port\""
    done
    echo "  }"
    echo "  chain postrouting {"
    echo "    type nat hook postrouting priority srcnat; policy accept;"
    echo "    oifname \"pub0\" ip saddr $PRIV_NET.0/24 masquerade comment \"vms-out\""
    echo "    oifname \"vmnet8\" ip saddr $PRIV_NET.0/24 ct status dnat masquerade comment \"hairpin\""
    echo "  }"
    echo "}"
  } | in_ns "$NS_H2" nft -f -
}

unforward() {
  local p=$1 port=$2 handle
  handle=$(in_ns "$p-host2" nft -a list chain ip "$NAT_TABLE" prerouting |
    sed -n "s/.*comment \"fwd-$port\" # handle \([0-9]*\).*/\1/p")
  [ -n "$handle" ] || die "no forward of port $port"
  in_ns "$p-host2" nft delete rule ip "$NAT_TABLE" prerouting handle "$handle"
}

down() {
  local p=$1 ns
  if ip netns list | grep -q "^$p-host2\b"; then
    in_ns "$p-host2" nft delete table ip "$NAT_TABLE" 2>/dev/null || true
  fi
  for ns in "$p-client" "$p-vm3" "$p-vm2" "$p-vm1" "$p-host2" "$p-host1" "$p-pub"; do
    if ip netns list | grep -q "^$ns\b"; then
      ip netns del "$ns" || echo "topology.sh: could not delete namespace $ns" >&2
    fi
    rm -rf "/etc/netns/$ns"
  done
  rmdir /etc/netns 2>/dev/null || true # only when nothing else lives there
}

case "${1:-}" in
  probe) [ $# = 2 ] || die "usage: probe PREFIX"; probe "$2" ;;
  up) [ $# = 3 ] || die "usage: up PREFIX HOSTS_FILE"; up "$2" "$3" ;;
  unforward) [ $# = 3 ] || die "usage: unforward PREFIX PORT"; unforward "$2" "$3" ;;
  down) [ $# = 2 ] || die "usage: down PREFIX"; down "$2" ;;
  *) die "usage: $0 probe|up|unforward|down PREFIX [...]" ;;
esac
