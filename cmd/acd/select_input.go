package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/selection/afpacket"
	"github.com/acd-platform/acd/internal/selection/capture"
)

// fileSource reads capture files one after another as one stream, so flows
// continue across rotated files.
type fileSource struct {
	e     *env
	paths []string
	i     int
	f     *os.File
	r     *capture.Reader
	done  int64 // bytes of the files already read
	size  int64 // all files' size; -1 when unknown (standard input)
}

func openFiles(e *env, paths []string) (*fileSource, error) {
	s := &fileSource{e: e, paths: paths}
	for _, p := range paths {
		if p == "-" {
			s.size = -1
			break
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, usagef("%v", err)
		}
		s.size += fi.Size()
	}
	if err := s.open(0); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *fileSource) open(i int) error {
	s.i = i
	var in io.Reader
	if s.paths[i] == "-" {
		in = s.e.stdin
	} else {
		f, err := os.Open(s.paths[i])
		if err != nil {
			return usagef("%v", err)
		}
		s.f, in = f, f
	}
	r, err := capture.NewReader(in)
	if err != nil {
		return usagef("%s: %v", s.paths[i], err)
	}
	s.r = r
	return nil
}

// Next implements capture.Source.
func (s *fileSource) Next(rec *capture.Record) error {
	for {
		err := s.r.Next(rec)
		if err != io.EOF || s.i+1 == len(s.paths) {
			return err
		}
		s.done += s.r.Offset()
		s.Close()
		if err := s.open(s.i + 1); err != nil {
			return err
		}
	}
}

// notOutput refuses an output path that is one of the inputs: opening it
// for writing would destroy the capture.
func (s *fileSource) notOutput(out string) error {
	if out == "-" {
		return nil
	}
	ofi, err := os.Stat(out)
	if err != nil {
		return nil // does not exist yet
	}
	for _, p := range s.paths {
		if fi, err := os.Stat(p); err == nil && p != "-" && os.SameFile(fi, ofi) {
			return usagef("--out %s is the input %s", out, p)
		}
	}
	return nil
}

// Offset is how far into all the files the reading is.
func (s *fileSource) Offset() int64 { return s.done + s.r.Offset() }

func (s *fileSource) Close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// showProgress prints packets, rate, share done and ETA on one terminal line
// twice a second, until the returned stop is called.
func showProgress(w io.Writer, eng *selection.Engine, size int64) (stop func()) {
	start := time.Now()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				packets, bytes, off := eng.Progress()
				secs := time.Since(start).Seconds()
				line := fmt.Sprintf("\r\033[Kselect: %d packets, %.2f Mpps, %.2f Gbps", packets,
					float64(packets)/secs/1e6, float64(bytes)*8/secs/1e9)
				if size > 0 && off > 0 {
					frac := float64(off) / float64(size)
					eta := time.Duration(secs/frac*(1-frac)) * time.Second
					line += fmt.Sprintf(", %.1f%%, ETA %s", 100*frac, eta.Round(time.Second))
				}
				fmt.Fprint(w, line)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// printSummary writes the commission's figures in a table.
func printSummary(w io.Writer, s *selection.Summary, took time.Duration) {
	fmt.Fprintf(w, "criteria %s v%d (authority %s, sha256 %s)\n", s.Criteria.ID, s.Criteria.Version, s.Criteria.Authority, s.Criteria.SHA256)
	fmt.Fprintf(w, "%-18s %14s %14s %14s %14s\n", "direction", "seen", "in scope", "selected", "deleted")
	row := func(name string, d selection.DirectionCounters) {
		fmt.Fprintf(w, "%-18s %14d %14d %14d %14d   packets\n", name, d.Seen.Packets, d.InScope.Packets, d.Selected.Packets, d.Deleted.Packets)
		fmt.Fprintf(w, "%-18s %14d %14d %14d %14d   bytes\n", "", d.Seen.Bytes, d.InScope.Bytes, d.Selected.Bytes, d.Deleted.Bytes)
	}
	for _, name := range []string{"foreign-foreign", "foreign-domestic", "domestic-foreign", "domestic-domestic"} {
		row(name, s.Directions[name])
	}
	row("total", s.Total)
	fmt.Fprintf(w, "non-IP %d packets, malformed %d, fragments %d; flows %d tracked, %d selected, %d ended early; %d records, %d bytes, sha256 %s\n",
		s.NonIP.Packets, s.Malformed.Packets, s.Fragments, s.Flows, s.SelectedFlows, s.EvictedFlows, s.Records, s.OutputBytes, s.OutputSHA256)
	packets := s.Total.Seen.Packets + s.NonIP.Packets + s.Malformed.Packets
	secs := took.Seconds()
	fmt.Fprintf(w, "selection: %d packets in %.3f s (%.2f Mpps, %.2f Gbps)\n", packets, secs,
		float64(packets)/secs/1e6, float64(s.Total.Seen.Bytes+s.NonIP.Bytes)*8/secs/1e9)
}

// liveSource reads a live capture until ctx is done.
type liveSource struct {
	ctx context.Context
	h   *afpacket.Handle
}

func (s liveSource) Next(rec *capture.Record) error { return s.h.NextContext(s.ctx, rec) }
