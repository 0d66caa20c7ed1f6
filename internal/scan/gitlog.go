package scan

// A lean reader of git history: the `git log -p -U0` that gitleaks'
// sources.NewGitLogCmdContext runs, parsed the way go-gitdiff v0.9.1 (the
// parser behind sources.Git) parses it, into the same fragments, but with
// lines read into reused buffers: it allocates the added lines of each hunk,
// a few header strings per file and the metadata of each commit, not a
// string per line.
//
// Its parsing of file headers, names, hunks and commit headers follows,
// and in parts adapts, github.com/gitleaks/go-gitdiff v0.9.1 (gitdiff/),
// under that package's licence:
//
//	MIT License
//
//	Copyright (c) 2019 Billy Keyes
//
//	Permission is hereby granted, free of charge, to any person obtaining a copy
//	of this software and associated documentation files (the "Software"), to deal
//	in the Software without restriction, including without limitation the rights
//	to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
//	copies of the Software, and to permit persons to whom the Software is
//	furnished to do so, subject to the following conditions:
//
//	The above copyright notice and this permission notice shall be included in all
//	copies or substantial portions of the Software.
//
//	THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
//	IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
//	FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
//	AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
//	LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
//	OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
//	SOFTWARE.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gitleaks/go-gitdiff/gitdiff"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// gitLogArgs are the arguments gitleaks' NewGitLogCmdContext gives git for
// the repository at root and the options logOpts, split on spaces.
func gitLogArgs(root, logOpts string) []string {
	args := []string{"-C", filepath.Clean(root), "log", "-p", "-U0"}
	if logOpts == "" {
		return append(args, "--full-history", "--all", "--diff-filter=tuxdb")
	}
	return append(args, strings.Split(logOpts, " ")...)
}

// quotedOpt is a log option wrapped in quotes, which gitleaks warns about
// since git gets the quotes too.
var quotedOpt = regexp.MustCompile(`^(?:"[^"]+"|'[^']+')$`)

// gitLogFragments runs git log in root with logOpts and calls yield, from
// GOMAXPROCS*2 goroutines, with the fragments sources.Git would yield for
// the same output: one per hunk of each file that is neither deleted nor
// binary. Binary patches (--binary) and archives are not read: callers use
// sources.Git for them. As in sources.Git, anything git writes to stderr
// other than its rename-limit and auto-gc notes is logged and, once git is
// done, yielded as an error in a fragment without path or commit.
func gitLogFragments(ctx context.Context, root, logOpts string, remote *sources.RemoteInfo, yield sources.FragmentsFunc) error {
	args := gitLogArgs(root, logOpts)
	if logOpts != "" {
		var quoted []string
		for _, a := range args[5:] {
			if quotedOpt.MatchString(a) {
				quoted = append(quoted, a)
			}
		}
		if len(quoted) > 0 {
			logging.Warn().Msgf("the following `--log-opts` values may not work as expected: %v\n\tsee https://github.com/gitleaks/gitleaks/issues/1153 for more information", quoted)
		}
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("scan git: %w", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return fmt.Errorf("scan git: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("scan git: %w", err)
	}
	stderrFailed := make(chan bool, 1)
	go func() { stderrFailed <- readGitStderr(stderr) }()

	frags := make(chan sources.Fragment, 256)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		yieldErr error
	)
	for w := 0; w < runtime.GOMAXPROCS(0)*2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range frags {
				if ctx.Err() != nil {
					continue
				}
				if err := yield(f, nil); err != nil {
					errOnce.Do(func() { yieldErr = err })
				}
			}
		}()
	}
	p := newLogParser(stdout, remote)
	p.run(func(f sources.Fragment) bool {
		if ctx.Err() != nil {
			return false
		}
		frags <- f
		return true
	})
	close(frags)
	wg.Wait()
	// The parse may stop early (a malformed hunk ends go-gitdiff's parse
	// too): let git finish.
	_, _ = io.Copy(io.Discard, stdout)
	failed := <-stderrFailed
	if err := cmd.Wait(); err != nil {
		logging.Debug().Err(err).Str("cmd", cmd.String()).Msg("command aborted")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed {
		return yield(sources.Fragment{}, errors.New("stderr is not empty"))
	}
	return yieldErr
}

// readGitStderr logs git's stderr as gitleaks' listenForStdErr does and
// reports whether it held anything but git's rename-limit and auto-gc
// notes.
func readGitStderr(stderr io.Reader) bool {
	failed := false
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "exhaustive rename detection was skipped") ||
			strings.Contains(line, "inexact rename detection was skipped") ||
			strings.Contains(line, "you may want to set your diff.renameLimit") ||
			strings.Contains(line, "See \"git help gc\" for manual housekeeping") ||
			strings.Contains(line, "Auto packing the repository in background for optimum performance") {
			logging.Warn().Msg(line)
		} else {
			logging.Error().Msgf("[git] %s", line)
			failed = true
		}
	}
	_, _ = io.Copy(io.Discard, stderr)
	return failed
}

// logParser reads `git log -p` output with go-gitdiff's three-line window
// (the current line and two read ahead), each line copied into a buffer of
// its own that is reused as the window moves.
type logParser struct {
	r      *bufio.Reader
	lines  [3][]byte
	began  bool
	eof    bool
	remote *sources.RemoteInfo

	pre   []byte // input before the next file header
	raw   []byte // added lines of the hunk being read
	hunks []hunk // hunks of the file being read
	file  diffFile

	sha  string
	info *sources.CommitInfo
}

// hunk is what a fragment needs of a text hunk.
type hunk struct {
	raw   string
	start int
}

// diffFile is what the scan needs of a file header.
type diffFile struct {
	oldName, newName          string
	isNew, isDelete, isBinary bool
}

func newLogParser(r io.Reader, remote *sources.RemoteInfo) *logParser {
	return &logParser{r: bufio.NewReaderSize(r, 64<<10), remote: remote}
}

// errGitDiff stands for go-gitdiff's parse errors, whose text nothing uses.
var errGitDiff = errors.New("gitdiff: malformed input")

// next advances the window by one line, as go-gitdiff's parser.Next; it
// reports false at the end of the input.
func (p *logParser) next() bool {
	if p.eof {
		return false
	}
	if !p.began {
		p.began = true
		p.shift()
		p.shift()
	}
	p.shift()
	if len(p.lines[0]) == 0 {
		p.eof = true
		return false
	}
	return true
}

func (p *logParser) shift() {
	free := p.lines[0]
	p.lines[0], p.lines[1] = p.lines[1], p.lines[2]
	p.lines[2] = p.readLine(free[:0])
}

// readLine appends the next line, newline included, to dst; lines longer
// than the reader's buffer are read in pieces. At the end of the input it
// returns what is left, possibly nothing.
func (p *logParser) readLine(dst []byte) []byte {
	for {
		b, err := p.r.ReadSlice('\n')
		dst = append(dst, b...)
		if err != bufio.ErrBufferFull {
			return dst
		}
	}
}

// run parses the whole output and calls emit with each fragment, as
// go-gitdiff's Parse and sources.Git.Fragments do together, until emit
// returns false.
func (p *logParser) run(emit func(sources.Fragment) bool) {
	if !p.next() {
		return
	}
	p.setHeader(&gitdiff.PatchHeader{})
	for {
		f, err := p.nextFileHeader()
		if err != nil {
			p.next()
			continue
		}
		if bytes.Contains(p.pre, []byte("commit")) {
			p.setHeader(parsePatchHeader(p.pre))
		}
		if f == nil {
			return
		}
		p.hunks = p.hunks[:0]
		n, err := p.textFragments(f)
		if err != nil {
			return
		}
		if n == 0 {
			if err := p.binaryMarker(f); err != nil {
				return
			}
		}
		if f.isDelete || f.isBinary {
			continue
		}
		for _, h := range p.hunks {
			if !emit(sources.Fragment{Raw: h.raw, StartLine: h.start, FilePath: f.newName, CommitSHA: p.sha, CommitInfo: p.info}) {
				return
			}
		}
	}
}

// setHeader makes h, nil when go-gitdiff could not parse it, the commit of
// the files that follow. The fragments of a commit share one CommitInfo.
func (p *logParser) setHeader(h *gitdiff.PatchHeader) {
	if h == nil {
		p.sha, p.info = "", nil
		return
	}
	p.sha = h.SHA
	p.info = &sources.CommitInfo{
		Date:    h.AuthorDate.UTC().Format(time.RFC3339),
		Message: h.Message(),
		Remote:  p.remote,
		SHA:     h.SHA,
	}
	if h.Author != nil {
		p.info.AuthorName, p.info.AuthorEmail = h.Author.Name, h.Author.Email
	}
}

// nextFileHeader finds the next file header, keeping the input before it
// in p.pre from the last line starting with "commit" (go-gitdiff's
// ParseNextFileHeader). It returns nil at the end of the input.
func (p *logParser) nextFileHeader() (*diffFile, error) {
	p.pre = p.pre[:0]
	for {
		if _, ok, err := p.fragmentHeader(); err == nil && ok {
			return nil, errGitDiff // a hunk without a file header
		} else if err == nil {
			if bytes.HasPrefix(p.lines[0], []byte("commit")) {
				p.pre = p.pre[:0]
			} else {
				f, err := p.gitFileHeader()
				if err != nil || f != nil {
					return f, err
				}
				if f, err = p.traditionalFileHeader(); err != nil || f != nil {
					return f, err
				}
			}
		}
		p.pre = append(p.pre, p.lines[0]...)
		if !p.next() {
			return nil, nil
		}
	}
}

// hunkHeader holds the ranges of "@@ -old,n +new,m @@".
type hunkHeader struct {
	oldPos, oldLines, newPos, newLines int64
}

// fragmentHeader parses a hunk header at the current line and moves past
// it (go-gitdiff's ParseTextFragmentHeader); ok is false if the line is
// not one.
func (p *logParser) fragmentHeader() (h hunkHeader, ok bool, err error) {
	line := p.lines[0]
	if !bytes.HasPrefix(line, []byte("@@ -")) {
		return h, false, nil
	}
	end := bytes.Index(line, []byte(" @@"))
	if end < 0 {
		return h, false, errGitDiff
	}
	ranges := line[len("@@ -"):end]
	sep := bytes.Index(ranges, []byte(" +"))
	if sep < 0 || bytes.Contains(ranges[sep+2:], []byte(" +")) {
		return h, false, errGitDiff
	}
	var okOld, okNew bool
	h.oldPos, h.oldLines, okOld = parseRange(ranges[:sep])
	h.newPos, h.newLines, okNew = parseRange(ranges[sep+2:])
	if !okOld || !okNew {
		return h, false, errGitDiff
	}
	p.next()
	return h, true, nil
}

// parseRange parses "start,count" or "start" (a count of 1).
func parseRange(b []byte) (start, count int64, ok bool) {
	count = 1
	if i := bytes.IndexByte(b, ','); i >= 0 {
		if count, ok = parseInt(b[i+1:]); !ok {
			return 0, 0, false
		}
		b = b[:i]
	}
	start, ok = parseInt(b)
	return start, count, ok
}

// parseInt is strconv.ParseInt(string(b), 10, 64) without the copy.
func parseInt(b []byte) (int64, bool) {
	if len(b) > 18 {
		n, err := strconv.ParseInt(string(b), 10, 64)
		return n, err == nil
	}
	d := b
	if len(d) > 0 && (d[0] == '+' || d[0] == '-') {
		d = d[1:]
	}
	if len(d) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if b[0] == '-' {
		n = -n
	}
	return n, true
}

// textFragments reads the hunks that follow a file header into p.hunks
// (go-gitdiff's ParseTextFragments), without the added lines of deleted
// files, which are not scanned.
func (p *logParser) textFragments(f *diffFile) (int, error) {
	n := 0
	for {
		h, ok, err := p.fragmentHeader()
		if err != nil {
			return n, err
		}
		if !ok {
			return n, nil
		}
		if f.isNew && h.oldLines > 0 || f.isDelete && h.newLines > 0 {
			return n, errGitDiff
		}
		raw, err := p.textChunk(h, !f.isDelete)
		if err != nil {
			return n, err
		}
		p.hunks = append(p.hunks, hunk{raw: raw, start: int(h.newPos)})
		n++
	}
}

// textChunk reads the lines of a hunk and returns its added lines, each
// with its newline unless a "\ No newline at end of file" follows it, as
// go-gitdiff's ParseTextChunk and TextFragment.Raw(OpAdd) give them.
func (p *logParser) textChunk(h hunkHeader, keep bool) (string, error) {
	if len(p.lines[0]) == 0 {
		return "", errGitDiff
	}
	p.raw = p.raw[:0]
	oldLines, newLines := h.oldLines, h.newLines
	var changed bool
	// lastNL: the hunk's last line so far is an added line whose newline
	// ends p.raw.
	lastNL := false
	trim := func() {
		if lastNL {
			p.raw = p.raw[:len(p.raw)-1]
			lastNL = false
		}
	}
	for oldLines > 0 || newLines > 0 {
		line := p.lines[0]
		switch line[0] {
		case '\n', ' ':
			oldLines--
			newLines--
			lastNL = false
		case '-':
			oldLines--
			changed = true
			lastNL = false
		case '+':
			newLines--
			changed = true
			if keep {
				p.raw = append(p.raw, line[1:]...)
				lastNL = line[len(line)-1] == '\n' && len(line) > 1
			}
		case '\\':
			if !noNewlineMarker(line) {
				return "", errGitDiff
			}
			trim()
		default:
			return "", errGitDiff
		}
		if !p.next() {
			break
		}
	}
	if oldLines != 0 || newLines != 0 || !changed {
		return "", errGitDiff
	}
	if noNewlineMarker(p.lines[0]) {
		trim()
		p.next()
	}
	if len(p.raw) == 0 {
		return "", nil
	}
	return string(p.raw), nil
}

// noNewlineMarker matches "\ No newline at end of file" by its prefix, as
// the text depends on git's locale.
func noNewlineMarker(line []byte) bool {
	return len(line) >= 12 && line[0] == '\\' && line[1] == ' '
}

// binaryRegexp is go-gitdiff's.
var binaryRegexp = regexp.MustCompile(`^Binary files (/dev/null|a/(.+)|"a/(.+)") and (/dev/null|b/(.+)|"b/(.+)") differ\s*$`)

// binaryMarker marks f binary if the current line says so and moves past
// it (go-gitdiff's ParseBinaryMarker). A binary patch's data (git log
// --binary) is not parsed: an error, and callers do not ask for it.
func (p *logParser) binaryMarker(f *diffFile) error {
	line := p.lines[0]
	switch {
	case string(line) == "GIT binary patch\n":
		return errGitDiff
	case string(line) == "Binary files differ\n", string(line) == "Files differ\n":
	case bytes.HasPrefix(line, []byte("Binary files ")) && bytes.HasSuffix(line, []byte("differ\n")):
	default:
		if !binaryRegexp.Match(line) {
			return nil
		}
	}
	f.isBinary = true
	p.next()
	return nil
}

// gitFileHeader parses a "diff --git" header and moves past it (go-gitdiff's
// ParseGitFileHeader); it returns nil if the current line does not start
// one.
func (p *logParser) gitFileHeader() (*diffFile, error) {
	const prefix = "diff --git "
	if !bytes.HasPrefix(p.lines[0], []byte(prefix)) {
		return nil, nil
	}
	defaultName, err := parseGitHeaderName(string(p.lines[0][len(prefix):]))
	if err != nil {
		return nil, err
	}
	f := &p.file
	*f = diffFile{}
	for {
		end, err := parseGitHeaderData(f, p.lines[1], defaultName)
		if err != nil {
			return nil, err
		}
		if !p.next() || end {
			break
		}
	}
	if f.oldName == "" && f.newName == "" {
		if defaultName == "" {
			return nil, errGitDiff
		}
		f.oldName, f.newName = defaultName, defaultName
	}
	if (f.newName == "" && !f.isDelete) || (f.oldName == "" && !f.isNew) {
		return nil, errGitDiff
	}
	return f, nil
}

// traditionalFileHeader parses a "---"/"+++" header followed by a hunk and
// moves past it (go-gitdiff's ParseTraditionalFileHeader).
func (p *logParser) traditionalFileHeader() (*diffFile, error) {
	const shortestHunk = "@@ -1 +1 @@\n"
	if !bytes.HasPrefix(p.lines[0], []byte("--- ")) || !bytes.HasPrefix(p.lines[1], []byte("+++ ")) {
		return nil, nil
	}
	if len(p.lines[2]) < len(shortestHunk) || !bytes.HasPrefix(p.lines[2], []byte("@@ -")) {
		return nil, nil
	}
	oldLine, newLine := string(p.lines[0]), string(p.lines[1])
	p.next()
	p.next()
	oldName, _, err := parseName(oldLine[len("--- "):], '\t', 0)
	if err != nil {
		return nil, err
	}
	newName, _, err := parseName(newLine[len("+++ "):], '\t', 0)
	if err != nil {
		return nil, err
	}
	f := &p.file
	*f = diffFile{}
	switch {
	case oldName == "/dev/null" || hasEpochTimestamp(oldLine):
		f.isNew = true
		f.newName = newName
	case newName == "/dev/null" || hasEpochTimestamp(newLine):
		f.isDelete = true
		f.oldName = oldName
	default:
		if strings.HasPrefix(newName, oldName) {
			f.oldName, f.newName = oldName, oldName
		} else {
			f.oldName, f.newName = newName, newName
		}
	}
	return f, nil
}

// The functions below, down to isSpace, follow go-gitdiff's file_header.go.

// gitHeaderLines are the lines of a git file header, in go-gitdiff's order.
var gitHeaderLines = []struct {
	prefix string
	end    bool
	parse  func(*diffFile, string, string) error
}{
	{"@@ -", true, nil},
	{"--- ", false, parseGitHeaderOldName},
	{"+++ ", false, parseGitHeaderNewName},
	{"old mode ", false, parseGitHeaderMode},
	{"new mode ", false, parseGitHeaderMode},
	{"deleted file mode ", false, func(f *diffFile, line, def string) error {
		f.isDelete = true
		f.oldName = def
		return parseGitHeaderMode(f, line, def)
	}},
	{"new file mode ", false, func(f *diffFile, line, def string) error {
		f.isNew = true
		f.newName = def
		return parseGitHeaderMode(f, line, def)
	}},
	{"copy from ", false, parseGitHeaderFrom},
	{"copy to ", false, parseGitHeaderTo},
	{"rename old ", false, parseGitHeaderFrom},
	{"rename new ", false, parseGitHeaderTo},
	{"rename from ", false, parseGitHeaderFrom},
	{"rename to ", false, parseGitHeaderTo},
	{"similarity index ", false, parseGitHeaderScore},
	{"dissimilarity index ", false, parseGitHeaderScore},
	{"index ", false, parseGitHeaderIndex},
}

// parseGitHeaderData parses one line of a git file header; end is true
// when the line is the first after the header.
func parseGitHeaderData(f *diffFile, line []byte, defaultName string) (end bool, err error) {
	if len(line) > 0 && line[len(line)-1] == '\n' {
		line = line[:len(line)-1]
	}
	for _, h := range gitHeaderLines {
		if len(line) >= len(h.prefix) && string(line[:len(h.prefix)]) == h.prefix {
			if h.parse != nil {
				err = h.parse(f, string(line[len(h.prefix):]), defaultName)
			}
			return h.end, err
		}
	}
	return true, nil
}

func parseGitHeaderOldName(f *diffFile, line, _ string) error {
	name, _, err := parseName(line, '\t', 1)
	if err != nil {
		return err
	}
	if f.oldName == "" && !f.isNew {
		f.oldName = name
		return nil
	}
	return verifyGitHeaderName(name, f.oldName, f.isNew)
}

func parseGitHeaderNewName(f *diffFile, line, _ string) error {
	name, _, err := parseName(line, '\t', 1)
	if err != nil {
		return err
	}
	if f.newName == "" && !f.isDelete {
		f.newName = name
		return nil
	}
	return verifyGitHeaderName(name, f.newName, f.isDelete)
}

func parseGitHeaderMode(_ *diffFile, line, _ string) error {
	if _, err := strconv.ParseInt(line, 8, 32); err != nil {
		return errGitDiff
	}
	return nil
}

// parseGitHeaderFrom takes "copy from", "rename from" and "rename old".
func parseGitHeaderFrom(f *diffFile, line, _ string) (err error) {
	f.oldName, _, err = parseName(line, 0, 0)
	return err
}

// parseGitHeaderTo takes "copy to", "rename to" and "rename new".
func parseGitHeaderTo(f *diffFile, line, _ string) (err error) {
	f.newName, _, err = parseName(line, 0, 0)
	return err
}

func parseGitHeaderScore(_ *diffFile, line, _ string) error {
	if _, err := strconv.ParseInt(strings.TrimSuffix(line, "%"), 10, 32); err != nil {
		return errGitDiff
	}
	return nil
}

func parseGitHeaderIndex(f *diffFile, line, def string) error {
	oids, mode, hasMode := strings.Cut(line, " ")
	if !strings.Contains(oids, "..") {
		return errGitDiff
	}
	if hasMode {
		return parseGitHeaderMode(f, mode, def)
	}
	return nil
}

// parseGitHeaderName extracts the name of a "diff --git" line when both of
// its names are the same, for mode-only changes and empty files; "" for a
// rename.
func parseGitHeaderName(header string) (string, error) {
	header = strings.TrimSuffix(header, "\n")
	if len(header) == 0 {
		return "", nil
	}
	var (
		err           error
		first, second string
	)
	quote := strings.IndexByte(header, '"')
	switch {
	case quote < 0:
		first = header
	case quote > 0:
		first = header[:quote-1]
		if !isSpace(header[quote-1]) {
			return "", errGitDiff
		}
		if second, _, err = parseQuotedName(header[quote:]); err != nil {
			return "", err
		}
	default:
		var n int
		if first, n, err = parseQuotedName(header); err != nil {
			return "", err
		}
		for n < len(header) && isSpace(header[n]) {
			n++
		}
		if n == len(header) {
			return "", nil
		}
		if header[n] == '"' {
			if second, _, err = parseQuotedName(header[n:]); err != nil {
				return "", err
			}
		} else {
			second = header[n:]
		}
	}
	first = trimTreePrefix(first, 1)
	if second != "" {
		if first == trimTreePrefix(second, 1) {
			return first, nil
		}
		return "", nil
	}
	for i := 0; i < len(first)-1; i++ {
		if !isSpace(first[i]) {
			continue
		}
		second = trimTreePrefix(first[i+1:], 1)
		if name := first[:i]; name == second {
			return name, nil
		}
	}
	return "", nil
}

// parseName extracts a name, quoted or ending at term, from the start of s,
// dropping dropPrefix leading directories (but not from /dev/null).
func parseName(s string, term byte, dropPrefix int) (name string, n int, err error) {
	if len(s) > 0 && s[0] == '"' {
		name, n, err = parseQuotedName(s)
	} else {
		name, n, err = parseUnquotedName(s, term)
	}
	if err != nil {
		return "", 0, err
	}
	if name == "/dev/null" {
		return name, n, nil
	}
	return cleanName(name, dropPrefix), n, nil
}

func parseQuotedName(s string) (name string, n int, err error) {
	for n = 1; n < len(s); n++ {
		if s[n] == '"' && s[n-1] != '\\' {
			n++
			break
		}
	}
	if n == 2 {
		return "", 0, errGitDiff
	}
	if name, err = strconv.Unquote(s[:n]); err != nil {
		return "", 0, err
	}
	return name, n, nil
}

func parseUnquotedName(s string, term byte) (name string, n int, err error) {
	for n = 0; n < len(s); n++ {
		if s[n] == '\n' || term > 0 && s[n] == term {
			break
		}
	}
	if n == 0 {
		return "", 0, errGitDiff
	}
	return s[:n], n, nil
}

func verifyGitHeaderName(parsed, existing string, isNull bool) error {
	if existing != "" && (isNull || existing != parsed) {
		return errGitDiff
	}
	if isNull && parsed != "/dev/null" {
		return errGitDiff
	}
	return nil
}

// cleanName collapses double slashes and drops drop leading directories.
func cleanName(name string, drop int) string {
	if drop == 0 && !strings.Contains(name, "//") {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			if i < len(name)-1 && name[i+1] == '/' {
				continue
			}
			if drop > 0 {
				drop--
				b.Reset()
				continue
			}
		}
		b.WriteByte(name[i])
	}
	return b.String()
}

func trimTreePrefix(name string, n int) string {
	i := 0
	for ; i < len(name) && n > 0; i++ {
		if name[i] == '/' {
			n--
		}
	}
	return name[i:]
}

func hasEpochTimestamp(s string) bool {
	start := strings.IndexRune(s, '\t')
	if start < 0 {
		return false
	}
	ts := strings.TrimSuffix(s[start+1:], "\n")
	if len(ts) >= 3 && ts[len(ts)-3] == ':' {
		ts = ts[:len(ts)-3] + ts[len(ts)-2:]
	}
	t, err := time.Parse("2006-01-02 15:04:05.9 -0700", ts)
	return err == nil && t.Equal(time.Unix(0, 0))
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n'
}

// parsePatchHeader is gitdiff.ParsePatchHeader for the preamble of a file
// header, nil where it fails. The pretty format git log prints by default
// is parsed here, from one copy of pre; anything else (mail headers, lines
// near bufio.Scanner's token limit) goes to gitdiff.
func parsePatchHeader(pre []byte) *gitdiff.PatchHeader {
	first := bytes.IndexByte(pre, '\n')
	if first < 0 || !bytes.HasPrefix(bytes.TrimSpace(pre[:first]), []byte("commit ")) || longestLine(pre) > 60_000 {
		h, err := gitdiff.ParsePatchHeader(string(pre))
		if err != nil {
			return nil
		}
		return h
	}
	s := string(pre)
	h := &gitdiff.PatchHeader{}
	pretty := strings.TrimSpace(s[:first])[len("commit "):]
	if i := strings.IndexByte(pretty, ' '); i > 0 {
		h.SHA = pretty[:i]
	} else {
		h.SHA = pretty
	}
	sc := scanLines{s: s[first+1:]}
	for {
		line, ok := sc.next()
		if !ok || strings.TrimSpace(line) == "" {
			break
		}
		var err error
		switch {
		case strings.HasPrefix(line, "Author:"):
			var u gitdiff.PatchIdentity
			if u, err = gitdiff.ParsePatchIdentity(line[len("Author:"):]); err == nil {
				h.Author = &u
			}
		case strings.HasPrefix(line, "Commit:"):
			var u gitdiff.PatchIdentity
			if u, err = gitdiff.ParsePatchIdentity(line[len("Commit:"):]); err == nil {
				h.Committer = &u
			}
		case strings.HasPrefix(line, "Date:"):
			h.AuthorDate, err = parsePatchDate(strings.TrimSpace(line[len("Date:"):]))
		case strings.HasPrefix(line, "AuthorDate:"):
			h.AuthorDate, err = parsePatchDate(strings.TrimSpace(line[len("AuthorDate:"):]))
		case strings.HasPrefix(line, "CommitDate:"):
			h.CommitterDate, err = parsePatchDate(strings.TrimSpace(line[len("CommitDate:"):]))
		}
		if err != nil {
			return nil
		}
	}
	// The title: lines up to a blank one, trimmed and joined by spaces.
	var (
		indent string
		title  strings.Builder
		one    string
		n      int
	)
	for {
		line, ok := sc.next()
		if !ok {
			break
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			break
		}
		if n == 0 {
			if start := strings.IndexFunc(line, func(c rune) bool { return !unicode.IsSpace(c) }); start > 0 {
				indent = line[:start]
			}
			one = trimmed
		} else {
			if n == 1 {
				title.WriteString(one)
			}
			title.WriteByte(' ')
			title.WriteString(trimmed)
		}
		n++
	}
	h.Title = one
	if n > 1 {
		h.Title = title.String()
	}
	if h.Title == "" {
		return h
	}
	// The body: blank lines between paragraphs kept as one, trailing
	// space and the title's indent removed.
	var body strings.Builder
	empty := 0
	for {
		line, ok := sc.next()
		if !ok {
			break
		}
		line = strings.TrimPrefix(strings.TrimRightFunc(line, unicode.IsSpace), indent)
		if line == "" {
			empty++
			continue
		}
		if body.Len() > 0 {
			body.WriteByte('\n')
			if empty > 0 {
				body.WriteByte('\n')
			}
		}
		empty = 0
		body.WriteString(line)
	}
	h.Body = body.String()
	return h
}

// parsePatchDate is gitdiff.ParsePatchDate, trying git's default date
// format first (no other format it tries can match such a date).
func parsePatchDate(s string) (time.Time, error) {
	if t, err := time.ParseInLocation("Mon Jan 2 15:04:05 2006 -0700", s, time.Local); err == nil {
		return t, nil
	}
	return gitdiff.ParsePatchDate(s)
}

// longestLine is the length of the longest line of b.
func longestLine(b []byte) int {
	longest := 0
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b)
		}
		longest = max(longest, i)
		b = b[min(i+1, len(b)):]
	}
	return longest
}

// scanLines yields the lines of s as bufio.ScanLines does: without their
// newline and one carriage return before it, the last one even without a
// newline, but not an empty last one.
type scanLines struct{ s string }

func (l *scanLines) next() (string, bool) {
	if l.s == "" {
		return "", false
	}
	line := l.s
	if i := strings.IndexByte(l.s, '\n'); i >= 0 {
		line, l.s = l.s[:i], l.s[i+1:]
	} else {
		l.s = ""
	}
	return strings.TrimSuffix(line, "\r"), true
}
