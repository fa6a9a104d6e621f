package main

import (
	"context"
	"io"

	"github.com/mkbulk/mkbulk/executor"
	"github.com/mkbulk/mkbulk/marketo"
	"github.com/mkbulk/mkbulk/statefile"
)

// bulkAPI adapts *marketo.Client to the executor's BulkAPI: the same calls
// without the *marketo.Response, which the executor does not need (request
// ids travel in *marketo.Error).
type bulkAPI struct{ c *marketo.Client }

// Compile-time checks where concrete types meet the executor's interfaces.
var (
	_ executor.BulkAPI  = (*bulkAPI)(nil)
	_ executor.Recorder = (*statefile.State)(nil)
)

func (b *bulkAPI) CreateExport(ctx context.Context, obj marketo.Object, req *marketo.ExportRequest) (*marketo.ExportJob, error) {
	j, _, err := b.c.BulkExport.Create(ctx, obj, req)
	return j, err
}

func (b *bulkAPI) EnqueueExport(ctx context.Context, obj marketo.Object, id string) (*marketo.ExportJob, error) {
	j, _, err := b.c.BulkExport.Enqueue(ctx, obj, id)
	return j, err
}

func (b *bulkAPI) ExportStatus(ctx context.Context, obj marketo.Object, id string) (*marketo.ExportJob, error) {
	j, _, err := b.c.BulkExport.Status(ctx, obj, id)
	return j, err
}

func (b *bulkAPI) CancelExport(ctx context.Context, obj marketo.Object, id string) (*marketo.ExportJob, error) {
	j, _, err := b.c.BulkExport.Cancel(ctx, obj, id)
	return j, err
}

func (b *bulkAPI) ListExports(ctx context.Context, obj marketo.Object, statuses []string) ([]marketo.ExportJob, error) {
	return b.c.BulkExport.ListAll(ctx, obj, statuses...)
}

func (b *bulkAPI) DownloadExport(ctx context.Context, obj marketo.Object, id, partial string, opts *marketo.DownloadOptions) (*marketo.DownloadResult, error) {
	return b.c.BulkExport.DownloadFile(ctx, obj, id, partial, opts)
}

func (b *bulkAPI) CreateImport(ctx context.Context, obj marketo.Object, req *marketo.ImportRequest, body io.Reader) (*marketo.ImportBatch, error) {
	batch, _, err := b.c.BulkImport.Create(ctx, obj, req, body)
	return batch, err
}

func (b *bulkAPI) ImportStatus(ctx context.Context, obj marketo.Object, batchID int) (*marketo.ImportBatch, error) {
	batch, _, err := b.c.BulkImport.Status(ctx, obj, batchID)
	return batch, err
}

func (b *bulkAPI) ImportFailures(ctx context.Context, obj marketo.Object, batchID int, w io.Writer) (bool, error) {
	found, _, err := b.c.BulkImport.Failures(ctx, obj, batchID, w)
	return found, err
}

func (b *bulkAPI) ImportWarnings(ctx context.Context, obj marketo.Object, batchID int, w io.Writer) (bool, error) {
	found, _, err := b.c.BulkImport.Warnings(ctx, obj, batchID, w)
	return found, err
}
