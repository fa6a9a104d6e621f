package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Credentials the sandbox accepts at its identity endpoint.
const (
	ClientID     = "sandbox"
	ClientSecret = "sandbox-secret"
)

// Config configures a sandbox. Zero values take the defaults of `mkbulk
// sandbox` (DESIGN.md §7): 10,000 leads, 60 simulated seconds per real
// second, a 500 MB daily export quota, a temporary data directory.
type Config struct {
	// Seed makes every generated record reproducible.
	Seed int64
	// Leads is the number of generated leads (ids 1..Leads).
	Leads int
	// TimeScale is simulated seconds per real second.
	TimeScale float64
	// QuotaMB is the daily bulk-export allowance in MiB.
	QuotaMB int
	// Faults is a fault-injection spec such as "606:0.05,5xx:0.02,reset:0.01".
	Faults string
	// DataDir holds export files and import uploads; empty means a
	// temporary directory removed by Close.
	DataDir string
	// SmartLists enables smart list filters (otherwise 1035).
	SmartLists bool
	// RejectQueryToken refuses access_token in the query string, as
	// Marketo will once the deprecation lands.
	RejectQueryToken bool
}

func (c Config) withDefaults() (Config, error) {
	if c.Leads == 0 {
		c.Leads = 10000
	}
	if c.TimeScale == 0 {
		c.TimeScale = 60
	}
	if c.QuotaMB == 0 {
		c.QuotaMB = 500
	}
	switch {
	case c.Leads < 0:
		return c, fmt.Errorf("sandbox: leads must be positive, got %d", c.Leads)
	case c.Leads > 100_000_000:
		return c, fmt.Errorf("sandbox: at most 100,000,000 leads, got %d", c.Leads)
	case c.TimeScale < 0:
		return c, fmt.Errorf("sandbox: time scale must be positive, got %g", c.TimeScale)
	case c.QuotaMB < 0:
		return c, fmt.Errorf("sandbox: quota must be positive, got %d MB", c.QuotaMB)
	}
	return c, nil
}

// Server is one sandbox Marketo instance. All state lives in memory except
// export files, uploads and import reports, which live in the data dir.
type Server struct {
	cfg     Config
	clock   *simClock
	faults  *faultInjector
	limiter *callLimiter
	gen     *generator
	dataDir string
	tempDir bool
	handler http.Handler

	mu       sync.Mutex
	data     *dataset
	exports  exportTable
	imports  importTable
	tokens   tokenTable
	quota    map[string]int64 // America/Chicago day → bytes of completed exports
	counters counters
	closed   bool

	reqSeq uint64 // guarded by mu

	bgCancel context.CancelFunc
	bgDone   chan struct{}
	workers  sync.WaitGroup

	srvMu   sync.Mutex
	httpSrv *http.Server
}

// New builds a sandbox. It generates nothing up front: records are derived
// from (seed, id) on demand, so even millions of leads cost no memory.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	faults, err := parseFaults(cfg.Faults, cfg.Seed)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		clock:   newSimClock(time.Now(), cfg.TimeScale),
		faults:  faults,
		limiter: newCallLimiter(),
		gen:     newGenerator(cfg.Seed, int64(cfg.Leads)),
		quota:   map[string]int64{},
	}
	s.data = newDataset(int64(cfg.Leads))
	s.exports.init()
	s.imports.init()
	s.tokens.init()
	s.counters.init()
	if cfg.DataDir == "" {
		dir, err := os.MkdirTemp("", "mkbulk-sandbox-")
		if err != nil {
			return nil, fmt.Errorf("sandbox: data dir: %w", err)
		}
		s.dataDir, s.tempDir = dir, true
	} else {
		s.dataDir = cfg.DataDir
	}
	for _, sub := range []string{"exports", "imports"} {
		if err := os.MkdirAll(filepath.Join(s.dataDir, sub), 0o755); err != nil {
			s.removeTemp()
			return nil, fmt.Errorf("sandbox: data dir: %w", err)
		}
	}
	s.handler = s.routes()
	ctx, cancel := context.WithCancel(context.Background())
	s.bgCancel = cancel
	s.bgDone = make(chan struct{})
	go s.background(ctx)
	return s, nil
}

// Handler serves the Marketo endpoints and the /sandbox/ control endpoints.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on listen ("127.0.0.1:0" picks a port) and serves in the
// background. It returns the instance root URL, e.g. http://127.0.0.1:8787.
func (s *Server) Start(listen string) (string, error) {
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return "", fmt.Errorf("sandbox: %w", err)
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 30 * time.Second}
	s.srvMu.Lock()
	if s.httpSrv != nil {
		s.srvMu.Unlock()
		ln.Close()
		return "", errors.New("sandbox: already started")
	}
	s.httpSrv = srv
	s.srvMu.Unlock()
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// Close stops serving, waits for background work, and removes the data dir
// when it was a temporary one.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.exports.cancelAll()
	s.mu.Unlock()

	var err error
	s.srvMu.Lock()
	if s.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if e := s.httpSrv.Shutdown(ctx); e != nil {
			err = s.httpSrv.Close()
		}
		cancel()
	}
	s.srvMu.Unlock()
	s.bgCancel()
	<-s.bgDone
	s.workers.Wait()
	s.removeTemp()
	return err
}

func (s *Server) removeTemp() {
	if s.tempDir {
		os.RemoveAll(s.dataDir)
	}
}

// DataDir is where export files and import reports are written.
func (s *Server) DataDir() string { return s.dataDir }

// Now is the current simulated time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance moves the simulated clock forward (tokens expire, jobs progress,
// the daily quota resets at midnight America/Chicago).
func (s *Server) Advance(d time.Duration) time.Time {
	if d > 0 {
		s.clock.Advance(d)
	}
	s.mu.Lock()
	s.advanceLocked()
	s.mu.Unlock()
	return s.clock.Now()
}

// background drives job progress in real time, so files are generated and
// imports applied even when nobody is polling.
func (s *Server) background(ctx context.Context) {
	defer close(s.bgDone)
	interval := s.clock.RealDuration(statusRefresh) / 4
	interval = min(max(interval, 2*time.Millisecond), 100*time.Millisecond)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.mu.Lock()
			if !s.closed {
				s.advanceLocked()
			}
			s.mu.Unlock()
		}
	}
}

// advanceLocked brings exports (on status-refresh ticks) and imports (in
// continuous time) up to the current simulated time.
func (s *Server) advanceLocked() {
	now := s.clock.Now()
	s.advanceExportsLocked(now)
	s.advanceImportsLocked(now)
}
