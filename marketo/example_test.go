package marketo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/mkbulk/mkbulk/marketo"
)

// Example runs one lead export from creation to a verified file, the way
// the executor does: persist the export id before enqueueing, poll no
// faster than Marketo refreshes status, download with Range resume and
// sha256 verification, then rename the partial file into place.
func Example() {
	ctx := context.Background()
	c, err := marketo.NewClient(
		marketo.WithBaseURL("https://123-ABC-456.mktorest.com/rest"),
		marketo.WithCredentials("client-id", "client-secret"),
	)
	if err != nil {
		log.Fatal(err)
	}
	job, _, err := c.BulkExport.Create(ctx, marketo.Leads, &marketo.ExportRequest{
		Fields: []string{"id", "email"},
		Format: "CSV",
		Filter: json.RawMessage(`{"createdAt":{"startAt":"2026-01-01T00:00:00Z","endAt":"2026-01-31T23:59:59Z"}}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	// (record job.ExportID durably here)
	if _, _, err := c.BulkExport.Enqueue(ctx, marketo.Leads, job.ExportID); err != nil && !marketo.IsAlreadyQueued(err) {
		if marketo.IsQueueFull(err) || marketo.IsDailyQuota(err) {
			log.Fatalf("try later: %v", err)
		}
		log.Fatal(err)
	}
	poll := marketo.PollPolicy{Deadline: 6 * time.Hour}
	start, last := time.Now(), time.Time{}
	for job.Status != marketo.StatusCompleted {
		if job.Status == marketo.StatusFailed || job.Status == marketo.StatusCancelled {
			log.Fatalf("export %s: %s %s", job.ExportID, job.Status, job.ErrorMsg)
		}
		if err := poll.Wait(ctx, start, last); err != nil {
			log.Fatal(err)
		}
		if job, _, err = c.BulkExport.Status(ctx, marketo.Leads, job.ExportID); err != nil {
			log.Fatal(err)
		}
		last = time.Now()
	}
	res, err := c.BulkExport.DownloadFile(ctx, marketo.Leads, job.ExportID, "leads.csv.partial", &marketo.DownloadOptions{
		ExpectedSize: job.FileSize, ExpectedChecksum: job.FileChecksum,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Size, res.SHA256) // then os.Rename("leads.csv.partial", "leads.csv")
}
