package pipeline

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBlobURL(t *testing.T) {
	const c = "0123abcd"
	for _, tc := range []struct{ remote, prefix, want string }{
		{"https://github.com/SigmaHQ/sigma.git", "", "https://github.com/SigmaHQ/sigma/blob/0123abcd"},
		{"https://github.com/SigmaHQ/sigma", "rules/", "https://github.com/SigmaHQ/sigma/blob/0123abcd/rules"},
		{"git@github.com:elastic/detection-rules.git", "", "https://github.com/elastic/detection-rules/blob/0123abcd"},
		{"ssh://git@github.com/splunk/security_content.git", "detections/", "https://github.com/splunk/security_content/blob/0123abcd/detections"},
		{"https://user:token@github.com/o/r.git", "", "https://github.com/o/r/blob/0123abcd"},
		{"https://gitlab.example.org/team/rules.git", "", "https://gitlab.example.org/team/rules/-/blob/0123abcd"},
		{"git@bitbucket.org:team/rules.git", "", "https://bitbucket.org/team/rules/src/0123abcd"},
		{"https://git.internal/team/rules.git", "", ""}, // a host whose web layout is unknown
		{"/srv/git/rules.git", "", ""}, // a local remote
		{"../sigma.bundle", "", ""},
		{"https://github.com/onlyowner", "", ""},
	} {
		require.Equal(t, tc.want, blobURL(tc.remote, c, tc.prefix), tc.remote)
	}
}

func TestWebURLOfACheckout(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	run("init", "-q")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "rules"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rules", "a.yml"), []byte("title: a\n"), 0o644))
	run("add", ".")
	run("commit", "-qm", "a")
	commit, _ := gitState(dir)
	require.NotEmpty(t, commit)
	require.Empty(t, webURL(filepath.Join(dir, "rules"), commit), "no origin: no link")
	run("remote", "add", "origin", "git@github.com:o/r.git")
	require.Equal(t, "https://github.com/o/r/blob/"+commit+"/rules", webURL(filepath.Join(dir, "rules"), commit))
	require.Empty(t, webURL(dir, ""), "no commit: no link")
}
