//go:build !linux

package afpacket

import (
	"context"
	"errors"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// errNotLinux is what every call returns on systems other than Linux.
var errNotLinux = errors.New("open live capture: live capture needs Linux (AF_PACKET)")

// Handle is an open live capture; on this system none can be opened.
type Handle struct{}

// Open fails: live capture needs Linux.
func Open(iface string, opts Options) (*Handle, error) { return nil, errNotLinux }

// LinkType returns the link-layer header type of the frames Next returns.
func (h *Handle) LinkType() packet.LinkType { return packet.LinkEthernet }

// Next fails: live capture needs Linux.
func (h *Handle) Next(rec *capture.Record) error { return errNotLinux }

// NextContext fails: live capture needs Linux.
func (h *Handle) NextContext(ctx context.Context, rec *capture.Record) error { return errNotLinux }

// Stats fails: live capture needs Linux.
func (h *Handle) Stats() (Stats, error) { return Stats{}, errNotLinux }

// Close does nothing.
func (h *Handle) Close() error { return nil }
