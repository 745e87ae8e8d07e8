// Package freeport picks a free TCP port that stays free across a restart
// of the process that binds it.
//
// A port the kernel hands out for ":0" comes from the local ephemeral range
// (net.ipv4.ip_local_port_range, 32768–60999 on Linux by default), the same
// range outgoing connections take their source ports from. A process that
// binds such a port again after it was killed (serve in the resident bench,
// the kill and restart tests) can then find it taken by some client's
// connection: "address already in use", and serve exits. Ports below the
// ephemeral range are never taken that way.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// lowest is the bottom of the range Pick draws from; the top is the
// ephemeral range's first port.
const lowest = 20000

// Pick returns a port on ip that is free now and lies below the local
// ephemeral range, drawn at random so that concurrent callers rarely meet.
// Where that range cannot be read or leaves no room, it falls back to a
// port the kernel picks.
func Pick(ip string) (int, error) {
	if top := ephemeralLow(); top > lowest+100 {
		for range 50 {
			p := lowest + rand.IntN(top-lowest)
			if l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(p))); err == nil {
				l.Close()
				return p, nil
			}
		}
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("free port on %s: %w", ip, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ephemeralLow is the first port of the local ephemeral range, or 0.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return n
}
