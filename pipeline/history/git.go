package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNotGit says a source folder is not inside a git repository.
var ErrNotGit = errors.New("not inside a git repository (history reads the repository's commits; clone it with git)")

// repo is the git repository a source folder lies in.
type repo struct {
	top     string // the work tree's top folder
	prefix  string // the source folder relative to top, slash-separated, "" for the top
	shallow bool
}

// git runs git in the repository and returns its standard output.
func (r *repo) git(ctx context.Context, args ...string) ([]byte, error) {
	return runGit(ctx, r.top, args...)
}

func runGit(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return out, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return out, nil
}

// openRepo finds the repository of the source folder dir.
func openRepo(ctx context.Context, dir string) (*repo, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, fmt.Errorf("%s: history needs the git command: %w", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a folder", dir)
	}
	out, err := runGit(ctx, abs, "rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotGit)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 3 {
		return nil, fmt.Errorf("%s: unexpected answer from git rev-parse: %q", dir, out)
	}
	return &repo{top: lines[0], prefix: strings.TrimSuffix(lines[1], "/"), shallow: lines[2] == "true"}, nil
}

// commit is one first-parent commit.
type commit struct {
	id   string
	time time.Time // committer time
}

// firstParents lists the first-parent commits of ref, newest first.
func (r *repo) firstParents(ctx context.Context, ref string) ([]commit, error) {
	out, err := r.git(ctx, "rev-list", "--first-parent", "--format=%H %ct", "--no-commit-header", ref, "--")
	if err != nil {
		return nil, fmt.Errorf("%s: reading the history of %s (a rewritten or missing commit?): %w", r.top, ref, err)
	}
	var cs []commit
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		id, ts, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: commit %s has time %q", r.top, id, ts)
		}
		cs = append(cs, commit{id: id, time: time.Unix(sec, 0).UTC()})
	}
	return cs, nil
}

// before returns the last first-parent commit whose committer time is
// before t (newest first in cs), and false when there is none.
func before(cs []commit, t time.Time) (commit, bool) {
	for _, c := range cs {
		if c.time.Before(t) {
			return c, true
		}
	}
	return commit{}, false
}

// entry is one file of a commit's tree.
type entry struct {
	mode string // git mode: 100644, 100755, 120000 (link)
	blob string
}

// tree lists the files under the source prefix at commit id, by path
// relative to the prefix.
func (r *repo) tree(ctx context.Context, id string) (map[string]entry, error) {
	args := []string{"ls-tree", "-r", "-z", "--full-tree", id}
	if r.prefix != "" {
		args = append(args, "--", r.prefix)
	}
	out, err := r.git(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: listing commit %s: %w", r.top, id, err)
	}
	files := map[string]entry{}
	for rec := range bytes.SplitSeq(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, p, ok := bytes.Cut(rec, []byte{'\t'})
		f := strings.Fields(string(meta))
		if !ok || len(f) != 3 || f[1] != "blob" {
			continue // submodules (commit entries) hold no files here
		}
		rel := string(p)
		if r.prefix != "" {
			rel = strings.TrimPrefix(rel, r.prefix+"/")
		}
		files[rel] = entry{mode: f[0], blob: f[2]}
	}
	return files, nil
}

// checkout-free materialization -------------------------------------------

// mirror is a private folder holding the source's files at one commit,
// written from the repository's objects (no checkout: the work tree and
// index are never touched). Moving it to another commit rewrites only the
// files that differ.
type mirror struct {
	dir   string
	files map[string]entry
}

// moveTo makes the mirror hold the files of want.
func (m *mirror) moveTo(ctx context.Context, r *repo, want map[string]entry) error {
	var write []string
	for p, e := range want {
		if old, ok := m.files[p]; !ok || old != e {
			write = append(write, p)
		}
	}
	for p := range m.files {
		if _, ok := want[p]; !ok {
			if err := os.Remove(filepath.Join(m.dir, filepath.FromSlash(p))); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	if err := r.writeBlobs(ctx, m.dir, write, want); err != nil {
		return err
	}
	m.files = want
	return nil
}

// writeBlobs writes the files paths (with their blobs in files) under dir
// through one `git cat-file --batch`.
func (r *repo) writeBlobs(ctx context.Context, dir string, paths []string, files map[string]entry) error {
	if len(paths) == 0 {
		return nil
	}
	cmd := exec.CommandContext(ctx, "git", "-C", r.top, "cat-file", "--batch")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git cat-file: %w", err)
	}
	go func() {
		w := bufio.NewWriter(in)
		for _, p := range paths {
			fmt.Fprintln(w, files[p].blob)
		}
		w.Flush()
		in.Close()
	}()
	out := bufio.NewReaderSize(outPipe, 1<<16)
	var werr error
	for _, p := range paths {
		header, err := out.ReadString('\n')
		if err != nil {
			werr = fmt.Errorf("git cat-file: %w", err)
			break
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			werr = fmt.Errorf("%s: blob %s of %s: %s (a rewritten or missing commit?)", r.top, files[p].blob, p, strings.TrimSpace(header))
			break
		}
		size, _ := strconv.Atoi(f[2])
		data := make([]byte, size+1) // the content and its closing newline
		if _, err := io.ReadFull(out, data); err != nil {
			werr = fmt.Errorf("git cat-file: %w", err)
			break
		}
		if err := writeEntry(filepath.Join(dir, filepath.FromSlash(p)), files[p].mode, data[:size]); err != nil {
			werr = err
			break
		}
	}
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil && werr == nil {
		werr = fmt.Errorf("git cat-file: %s", strings.TrimSpace(stderr.String()))
	}
	return werr
}

// writeEntry writes one file of the tree; a git link becomes a symbolic
// link with the same target, which the pipeline then follows as it would
// in a checkout.
func writeEntry(name, mode string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	os.Remove(name)
	if mode == "120000" {
		return os.Symlink(filepath.FromSlash(path.Clean(string(data))), name)
	}
	return os.WriteFile(name, data, 0o644)
}
