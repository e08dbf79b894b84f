package evidence

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// chromium finds a headless browser, or skips the test; CI sets
// KAFKA_RUNBOOK_REQUIRE_CHROMIUM=1 to make its absence a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium is not installed (Debian: apt-get install -y chromium); the HTML report was not checked in a browser"
	if os.Getenv("KAFKA_RUNBOOK_REQUIRE_CHROMIUM") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// screenshot renders an HTML page in headless Chromium and decodes the PNG.
func screenshot(t *testing.T, browser string, page []byte) image.Image {
	t.Helper()
	dir := t.TempDir()
	htmlPath, pngPath := filepath.Join(dir, "report.html"), filepath.Join(dir, "out.png")
	if err := os.WriteFile(htmlPath, page, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+pngPath, "--window-size=1200,1600", "file://"+htmlPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	return img
}

// near reports whether a pixel is within tol of a #rrggbb colour per channel.
func near(r, g, b uint32, hex string, tol int) bool {
	var want [3]int
	for i := range want {
		var v int
		for _, c := range hex[1+2*i : 3+2*i] {
			v *= 16
			switch {
			case c >= '0' && c <= '9':
				v += int(c - '0')
			default:
				v += int(c-'a') + 10
			}
		}
		want[i] = v
	}
	got := [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
	for i := range got {
		if d := got[i] - want[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// chartPixels counts the pixels of each series colour and the bounding box
// of all of them.
func chartPixels(img image.Image, colors []string) (map[string]int, image.Rectangle) {
	counts := map[string]int{}
	var box image.Rectangle
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for _, c := range colors {
				if near(r, g, bl, c, 24) {
					counts[c]++
					box = box.Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
	}
	return counts, box
}

func TestReportHTMLRendersChartsInChromium(t *testing.T) {
	browser := chromium(t)
	var page bytes.Buffer
	if err := fixtureReport(t).HTML(&page); err != nil {
		t.Fatal(err)
	}
	colors := []string{colorAlive, colorURP, colorLag}
	img := screenshot(t, browser, page.Bytes())
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 1600 {
		t.Fatalf("screenshot is %v, want 1200x1600", b)
	}
	counts, box := chartPixels(img, colors)
	for _, c := range colors {
		if counts[c] < 400 {
			t.Errorf("only %d pixels of %s on screen: a chart line is missing", counts[c], c)
		}
	}
	// Three charts stacked: their lines span most of the width and
	// several hundred pixels of height.
	if box.Dx() < 900 || box.Dy() < 500 {
		t.Errorf("chart lines cover %v: the charts did not render at full size", box)
	}
	t.Logf("series pixels %v in %v", counts, box)

	// The same page without its SVG must fail the check, or the check
	// proves nothing.
	stripped := regexp.MustCompile(`(?s)<svg.*?</svg>`).ReplaceAll(page.Bytes(), nil)
	counts, _ = chartPixels(screenshot(t, browser, stripped), colors)
	for _, c := range colors {
		if counts[c] > 50 {
			t.Errorf("%d pixels of %s without charts: the colour check is not specific", counts[c], c)
		}
	}
}
