package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/selection/capgen"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/web"
)

// buildACD builds the acd command into dir in the background; the
// returned function waits for it and returns the binary's path, or skips
// t when there is no go command.
func buildACD(t *testing.T, dir string) func() string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("browser test skipped: no go command to build acd with")
	}
	out, err := exec.Command(goCmd, "env", "GOMOD").Output()
	root := filepath.Dir(strings.TrimSpace(string(out)))
	if err != nil || root == "." || root == "" {
		t.Skipf("browser test skipped: no module root from go env GOMOD (%v)", err)
	}
	bin := filepath.Join(dir, "acd")
	done := make(chan error, 1)
	go func() {
		cmd := exec.Command(goCmd, "build", "-o", bin, "./cmd/acd")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			done <- fmt.Errorf("go build ./cmd/acd: %v\n%s", err, b)
			return
		}
		done <- nil
	}()
	return func() string {
		t.Helper()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return bin
	}
}

// TestBrowserOversight takes an acquisition request through the pages
// with a real headless Chromium: an analyst files it with a criteria file
// chosen in the form; a member moves to approve it narrowed to a shorter
// period; the chair and two members, each logged in with TOTP, vote yes;
// the chair closes the motion. The analyst then downloads the signed
// manifest and the criteria file in the browser, and `acd select` accepts
// them and runs on a capture, naming the approval in its output.
func TestBrowserOversight(t *testing.T) {
	exe := chromium(t)
	dir := t.TempDir()
	acd := buildACD(t, dir)

	s := newSite(t, storetest.SQLite(t))
	oversightUsers(t, s)
	// acd select checks the approval against the wall clock: the server's
	// clock starts now.
	s.clock.Set(time.Now().UTC().Truncate(time.Second))
	tr := func(key string, args ...any) string { return s.msgs.T(web.Japanese, key, args...) }

	now := s.clock.Now()
	from, until := now.Add(-time.Hour), now.Add(30*24*time.Hour)
	crit := fmt.Appendf(nil, `{
  "schema": "acd.selection.criteria/v1",
  "id": "crit-browser",
  "version": 1,
  "authority": "ACQ-BROWSER",
  "directions": ["foreign-domestic", "domestic-foreign"],
  "valid_from": %q,
  "valid_until": %q,
  "rules": [
    {"id": "foreign-pool", "addresses": ["8.0.0.0/12", "2a00::/24"]},
    {"id": "webshell", "commands": ["cmd.exe"], "ports": ["tcp/80"]}
  ]
}
`, from.Format(time.RFC3339), until.Format(time.RFC3339))
	critPath := filepath.Join(dir, "criteria-filed.json")
	write := func(path string, data []byte) {
		t.Helper()
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(critPath, crit)

	b := newBrowser(t, exe, s, 90*time.Second)
	do, value, mainText, shot, logout, flash := b.do, b.value, b.mainText, b.shot, b.logout, b.flash
	button := func(key string) chromedp.Search {
		return chromedp.Search(`//button[normalize-space()="` + tr(key) + `"]`)
	}
	home := homePage()
	// loginTOTP logs a commission user in: the first login enrols the
	// secret the page shows, which the authenticator (here, the test)
	// keeps.
	loginTOTP := func(username string) {
		t.Helper()
		b.loginTOTP(username, "")
	}

	// The analyst files the request, choosing the criteria file.
	b.login("nco")
	do("open the filing form",
		home,
		chromedp.Click(chromedp.Search(`//a[normalize-space()="`+tr("action.acquisition.file")+`"]`)),
		chromedp.WaitVisible(chromedp.ID("q-criteria")),
		chromedp.SendKeys(chromedp.ID("q-addresses"), "8.0.0.0/12"),
		chromedp.SendKeys(chromedp.ID("q-asns"), "AS64500"),
		chromedp.SendKeys(chromedp.ID("q-suspicion"), "国外の設備群からの不正アクセスが続いている。"),
		chromedp.SendKeys(chromedp.ID("q-other"), "設備は国外にあり、事業者の協力が得られない。"),
		chromedp.Click(chromedp.CSS(`input[name="directions"][value="foreign-domestic"]`)),
		chromedp.Click(chromedp.CSS(`input[name="directions"][value="domestic-foreign"]`)),
		chromedp.SetUploadFiles(chromedp.ID("q-criteria"), []string{critPath}),
		chromedp.Click(button("acquisitions.new.submit")),
		chromedp.WaitVisible(chromedp.ID("acq-state")),
	)
	reqURL, _, _ := strings.Cut(value("location", chromedp.Location()), "?")
	reqID := reqURL[strings.LastIndex(reqURL, "/")+1:]
	if text := mainText("the request"); !strings.Contains(text, tr("acquisition.done.filed")) || !strings.Contains(text, "crit-browser") {
		t.Fatalf("the filed request's page lacks the confirmation or the criteria set:\n%s", text)
	}
	shot("oversight-request-filed")
	logout()

	// m1 finds it in the queue and moves to approve it for a shorter period.
	loginTOTP("m1")
	do("open the queue",
		chromedp.Click(chromedp.Search(`//a[normalize-space()="`+tr("action.commission.vote")+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.queue")),
	)
	if row := value("the queue row", chromedp.Text(chromedp.CSS("table.queue tbody tr"))); !strings.Contains(row, reqID) || !strings.Contains(row, tr("oversight.elapsed.m", 0)) {
		t.Errorf("the queue row %q lacks the request or its waiting time", row)
	}
	shot("oversight-queue")
	narrowedUntil := now.Add(10 * 24 * time.Hour).In(time.FixedZone("JST", 9*3600))
	do("move the motion",
		chromedp.Click(chromedp.Search(`//table[contains(@class,"queue")]//a[normalize-space()="`+reqID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("move-form")),
		chromedp.Click(chromedp.ID("m-kind-approve_narrowed")),
		chromedp.SendKeys(chromedp.ID("m-statement"), "期間を10日に短縮して承認する。"),
		chromedp.SetValue(chromedp.ID("m-until"), narrowedUntil.Format("2006-01-02T15:04")),
		chromedp.Click(chromedp.ID("m-submit")),
		chromedp.WaitVisible(chromedp.ID("vote-form")),
	)
	vote := func(who string) {
		t.Helper()
		do(who+" votes yes",
			chromedp.Click(chromedp.ID("v-yes")),
			chromedp.SendKeys(chromedp.ID("v-reasons"), "必要かつ相当である。"),
			chromedp.Click(chromedp.ID("v-submit")),
			chromedp.WaitVisible(flash("acquisition.done.voted")),
		)
	}
	vote("m1")
	logout()
	loginTOTP("m2")
	do("open the request", chromedp.Navigate(reqURL), chromedp.WaitVisible(chromedp.ID("vote-form")))
	vote("m2")
	logout()
	loginTOTP("chair")
	do("open the request", chromedp.Navigate(reqURL), chromedp.WaitVisible(chromedp.ID("vote-form")))
	vote("chair")
	shot("oversight-votes")
	do("close the motion", chromedp.Click(chromedp.ID("close-submit")), chromedp.WaitVisible(chromedp.ID("approval-link")))
	text := mainText("the decided request")
	for _, want := range []string{tr("acquisition.state.approved"), tr("motion.tally.carried"), tr("motion.tally.counts", 3, 0, 0), tr("motion.decided.approve_narrowed"),
		narrowedUntil.Format("2006-01-02 15:04 JST")} {
		if !strings.Contains(text, want) {
			t.Errorf("the decided request's page lacks %q", want)
		}
	}
	shot("oversight-decided")
	logout()

	// The analyst opens the approval and downloads both files.
	b.login("nco")
	do("open the approval", home, chromedp.Navigate(reqURL), chromedp.Click(chromedp.ID("approval-link")), chromedp.WaitVisible(chromedp.ID("dl-manifest")))
	apvURL, _, _ := strings.Cut(value("location", chromedp.Location()), "?")
	apvID := apvURL[strings.LastIndex(apvURL, "/")+1:]
	shot("oversight-approval")
	fetch := func(link string) []byte {
		t.Helper()
		res, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]string](`(async () => {
			const r = await fetch(document.getElementById(`+fmt.Sprintf("%q", link)+`).href);
			const b = new Uint8Array(await r.arrayBuffer());
			let s = "";
			for (const x of b) s += String.fromCharCode(x);
			return {status: String(r.status), disposition: r.headers.get("Content-Disposition") || "", body: btoa(s)};
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("browser: fetch %s: %v", link, err)
		}
		b, err := base64.StdEncoding.DecodeString(res["body"])
		if err != nil || res["status"] != "200" || !strings.HasPrefix(res["disposition"], "attachment") {
			t.Fatalf("browser: fetch %s: status %s, disposition %q, %v; want 200 with an attachment", link, res["status"], res["disposition"], err)
		}
		return b
	}
	manifestBytes, critBytes := fetch("dl-manifest"), fetch("dl-criteria")
	if want, _, err := s.srv.Oversight.Manifest(s.ctx, apvID); err != nil || !bytes.Equal(manifestBytes, want) {
		t.Errorf("the manifest downloaded is not the one signed (%v)", err)
	}
	if bytes.Equal(critBytes, crit) {
		t.Error("the criteria file downloaded is the one filed, not the narrowed one approved")
	}

	// acd select accepts them.
	mPath, cPath := filepath.Join(dir, "manifest.json"), filepath.Join(dir, "criteria.json")
	kPath, rPath := filepath.Join(dir, "manifest-keys.json"), filepath.Join(dir, "revocations.json")
	write(mPath, manifestBytes)
	write(cPath, critBytes)
	ks, err := json.Marshal(s.srv.Oversight.ManifestKeys())
	if err != nil {
		t.Fatal(err)
	}
	write(kPath, ks)
	revs, err := s.srv.Oversight.Revocations(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	write(rPath, revs)
	if _, err := keys.Open(filepath.Join(dir, "keys"), nil); err != nil { // the collection point's pseudonym key
		t.Fatal(err)
	}
	var pcap, del bytes.Buffer
	if _, err := capgen.Write(&pcap, capgen.Config{Packets: 2000}); err != nil {
		t.Fatal(err)
	}
	if err := capgen.WriteDelegated(&del); err != nil {
		t.Fatal(err)
	}
	pcapPath, delPath, outPath := filepath.Join(dir, "c.pcap"), filepath.Join(dir, "delegated"), filepath.Join(dir, "out.jsonl")
	write(pcapPath, pcap.Bytes())
	write(delPath, del.Bytes())
	cmd := exec.Command(acd(), "select", "--manifest", mPath, "--manifest-keys", kPath, "--revocations", rPath, "--criteria", cPath,
		"--domestic", delPath, "--pseudonym-key", filepath.Join(dir, "keys", "email-pseudonym.json"), "--progress", "never", "--out", outPath, pcapPath)
	cmd.Env = append(os.Environ(), "ACD_DATA_DIR="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("acd select: %v\n%s", err, b)
	}
	out, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := bytes.Cut(out, []byte("\n"))
	var header struct {
		Type     string                `json:"type"`
		Criteria selection.CriteriaRef `json:"criteria"`
	}
	if err := json.Unmarshal(first, &header); err != nil || header.Type != "run" || header.Criteria.Approval != apvID || header.Criteria.ID != "crit-browser" {
		t.Errorf("acd select's header %.200s (%v); want a run naming approval %s and criteria crit-browser", first, err, apvID)
	}
}
