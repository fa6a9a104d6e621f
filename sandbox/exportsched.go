package sandbox

import (
	"context"
	"time"
)

// Export jobs move only on status-refresh ticks (every 60 simulated
// seconds): at each tick, finished generators complete their jobs and free
// slots take the oldest queued jobs. A job processes for at least one tick,
// plus one per 100,000 records, and never completes before its file is
// written, so fileSize and fileChecksum are known the moment it says
// Completed.

const recordsPerTick = 100_000

func processingTime(records int64) time.Duration {
	return statusRefresh * time.Duration(1+records/recordsPerTick)
}

func (s *Server) advanceExportsLocked(now time.Time) {
	t := &s.exports
	target := s.clock.tick(now)
	if target <= t.lastTick {
		return
	}
	for t.lastTick < target {
		if len(t.queue) == 0 && len(t.processing) == 0 {
			t.lastTick = target
			break
		}
		t.lastTick++
		s.exportTickLocked(s.clock.tickTime(t.lastTick))
	}
	s.expireFilesLocked(now)
}

func (s *Server) exportTickLocked(at time.Time) {
	t := &s.exports
	keep := t.processing[:0]
	for _, j := range t.processing {
		switch {
		case j.failPlanned:
			s.finishExportLocked(j, at, "Export failed: internal error while generating the file")
		case !j.genDone:
			keep = append(keep, j)
		case j.genErr != nil:
			s.finishExportLocked(j, at, "Export failed: "+j.genErr.Error())
		case !at.Before(j.startedAt.Add(processingTime(j.records))):
			s.finishExportLocked(j, at, "")
		default:
			keep = append(keep, j)
		}
	}
	t.processing = keep
	for len(t.processing) < maxProcessing && len(t.queue) > 0 {
		j := t.queue[0]
		t.queue = t.queue[1:]
		j.status = statusProcessing
		j.startedAt = at
		t.processing = append(t.processing, j)
		if !j.failPlanned && !s.closed {
			s.startGeneratorLocked(j)
		}
	}
	s.noteExportPeaksLocked()
}

func (s *Server) finishExportLocked(j *exportJob, at time.Time, failure string) {
	j.finished = at
	if failure != "" {
		j.status = statusFailed
		j.errorMsg = failure
		s.counters.exports.Failed++
		return
	}
	j.status = statusCompleted
	s.quota[quotaDay(at)] += j.fileSize
	s.counters.exports.Completed++
}

func (s *Server) noteExportPeaksLocked() {
	e := &s.counters.exports
	e.MaxProcessing = max(e.MaxProcessing, int64(len(s.exports.processing)))
	e.MaxQueued = max(e.MaxQueued, int64(s.exports.inQueue()))
}

// startGeneratorLocked writes the job's file in the background from a
// snapshot of the data as of processing start.
func (s *Server) startGeneratorLocked(j *exportJob) {
	ctx, cancel := context.WithCancel(context.Background())
	j.cancelGen = cancel
	snap := s.data.snapshot()
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		defer cancel()
		res, err := s.writeExportFile(ctx, j.id, j.spec, snap)
		s.mu.Lock()
		defer s.mu.Unlock()
		if j.status != statusProcessing {
			if err == nil {
				removeQuietly(res.path)
			}
			return
		}
		j.genDone = true
		j.genErr = err
		if err == nil {
			j.records, j.fileSize, j.checksum, j.path = res.records, res.size, res.sha256, res.path
		}
	}()
}
