package netflow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// maxDatagram is the largest UDP payload: the size of a Listener's buffer.
const maxDatagram = 65535

// socketBuffer is the receive buffer a Listener asks the kernel for, so that
// bursts of export datagrams are not dropped while a batch is decoded. The
// kernel may cap it (net.core.rmem_max); that is not an error.
const socketBuffer = 4 << 20

// Listener receives export datagrams on a UDP socket and decodes them.
type Listener struct {
	conn *net.UDPConn
	d    *Decoder
	buf  []byte // one datagram, reused
}

// NewListener binds a UDP socket to addr ("host:port"; port 0 picks one) for
// datagrams to be decoded with d. Call Serve to receive them.
func NewListener(addr string, d *Decoder) (*Listener, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("resolve flow export address: %w", err)
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("listen for flow export: %w", err)
	}
	_ = conn.SetReadBuffer(socketBuffer) // best effort, see socketBuffer
	return &Listener{conn: conn, d: d, buf: make([]byte, maxDatagram)}, nil
}

// Addr returns the local address the Listener is bound to.
func (l *Listener) Addr() netip.AddrPort {
	return l.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// Serve reads datagrams until ctx is done and decodes each with the
// Listener's Decoder, passing flows to fn as Decoder.Decode does. A datagram
// that fails to decode is counted in the Decoder's Stats and skipped. Serve
// closes the socket when it returns; it returns nil once ctx is done, or the
// error that stopped reading.
func (l *Listener) Serve(ctx context.Context, fn func(*Flow)) error {
	defer l.conn.Close()
	// Wake the blocked read when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = l.conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	for {
		n, from, err := l.conn.ReadFromUDPAddrPort(l.buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("read flow export datagram: %w", err)
		}
		_ = l.d.Decode(from.Addr().Unmap(), l.buf[:n], fn) // counted in Stats
	}
}

// Close closes the socket, ending Serve.
func (l *Listener) Close() error {
	return l.conn.Close()
}

// Listen binds a UDP socket to addr and serves it with d until ctx is done;
// see NewListener and Listener.Serve.
func Listen(ctx context.Context, addr string, d *Decoder, fn func(*Flow)) error {
	l, err := NewListener(addr, d)
	if err != nil {
		return err
	}
	return l.Serve(ctx, fn)
}
