package evidence

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// A bundle may come from anyone (an attachment to a postmortem, a
// colleague's laptop), so every read of one is bounded and stays inside it:
// a manifest entry naming /dev/zero, a link out of the bundle or a 2 GiB
// sparse file must be refused at once, not read until memory runs out.
// The caps are per kind of file, each far above what the tool writes.
const (
	// maxManifestBytes: a manifest lists one short entry per file.
	maxManifestBytes = 16 << 20
	// maxDocumentBytes bounds findings.json, transcripts and any other
	// listed file: a triage of 100,000 failing partitions is about 40 MB.
	maxDocumentBytes = 128 << 20
	// maxJournalBytes bounds events.jsonl and metrics.jsonl, read whole.
	maxJournalBytes = snapshot.MaxDocumentBytes
)

// maxBytesOf is the cap of a bundle file by its kind.
func maxBytesOf(rel string) int64 {
	switch dir, _ := path.Split(rel); {
	case rel == ManifestFile:
		return maxManifestBytes
	case dir == SnapshotsDir+"/":
		return snapshot.MaxDocumentBytes
	case rel == EventsFile || rel == MetricsFile:
		return maxJournalBytes
	}
	return maxDocumentBytes
}

// errNotFound is a listed file that is not there.
var errNotFound = errors.New("not found")

// readInside reads rel inside dir: a regular file only, never a symbolic
// link or a device, never through a link that leads out of dir, and never
// more than its kind's cap. Problems other than a missing file are worded
// for the user, one line.
func readInside(dir, rel string) ([]byte, error) {
	limit := maxBytesOf(rel)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, errors.New(unwrapPath(err))
	}
	defer root.Close()
	name := filepath.FromSlash(rel)
	before, err := root.Lstat(name)
	if err != nil {
		return nil, rootError(err)
	}
	if err := checkRegular(before, limit); err != nil {
		return nil, err
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, rootError(err)
	}
	defer f.Close()
	// The file checked and the file opened must be the same: a swap in
	// between (for a FIFO or a link) would otherwise slip past the checks.
	after, err := f.Stat()
	if err != nil || !os.SameFile(before, after) {
		return nil, errors.New("changed while it was being opened")
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, errors.New(unwrapPath(err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("grew past %s while it was read", sizeText(limit))
	}
	return data, nil
}

// checkRegular refuses what a bundle never holds: links, devices, pipes,
// directories, and files above their cap.
func checkRegular(fi fs.FileInfo, limit int64) error {
	switch mode := fi.Mode(); {
	case mode&fs.ModeSymlink != 0:
		return errors.New("is a symbolic link: a bundle's files are read only inside it, never through links")
	case !mode.IsRegular():
		return fmt.Errorf("is not a regular file (%s): a bundle holds only plain files", kindOf(mode))
	case fi.Size() > limit:
		return fmt.Errorf("is %d bytes, more than a bundle file of its kind may hold (%s)", fi.Size(), sizeText(limit))
	}
	return nil
}

func kindOf(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeDevice != 0:
		return "a device"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	}
	return "mode " + mode.String()
}

// rootError words what os.Root refused: a missing file, or a path that
// leads out of the bundle through a link.
func rootError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errNotFound
	case strings.Contains(err.Error(), "escapes"):
		return errors.New("leads outside the bundle through a symbolic link")
	}
	return errors.New(unwrapPath(err))
}

func sizeText(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }
