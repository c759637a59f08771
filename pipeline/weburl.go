package pipeline

import (
	"net/url"
	"os/exec"
	"strings"
)

// webURL is the web address of the folder root at commit, when root is in a
// git checkout whose origin is on GitHub, GitLab or Bitbucket (a rule's path
// is appended after a slash), or "" when there is no commit, no git, no
// origin or another host. Credentials in the origin's address are dropped.
func webURL(root, commit string) string {
	if commit == "" {
		return ""
	}
	if _, err := exec.LookPath("git"); err != nil {
		return ""
	}
	origin, err := exec.Command("git", "-C", root, "remote", "get-url", "origin").Output()
	if err != nil {
		return ""
	}
	prefix, err := exec.Command("git", "-C", root, "rev-parse", "--show-prefix").Output()
	if err != nil {
		return ""
	}
	return blobURL(strings.TrimSpace(string(origin)), commit, strings.TrimSpace(string(prefix)))
}

// blobURL turns a git remote address (https, ssh or scp-like
// git@host:owner/repo.git) into the web address of folder prefix (relative
// to the repository's top, "" or ending in a slash) at commit.
func blobURL(remote, commit, prefix string) string {
	host, repo := "", ""
	if u, err := url.Parse(remote); err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http" || u.Scheme == "ssh" || u.Scheme == "git") {
		host, repo = u.Hostname(), u.Path
	} else if at, rest, ok := strings.Cut(remote, "@"); ok && !strings.Contains(at, "/") {
		h, p, ok := strings.Cut(rest, ":")
		if !ok {
			return ""
		}
		host, repo = h, p
	} else {
		return ""
	}
	repo = strings.TrimSuffix(strings.Trim(repo, "/"), ".git")
	if strings.Count(repo, "/") < 1 || strings.ContainsAny(repo, " ?#") {
		return ""
	}
	prefix = strings.TrimSuffix(prefix, "/")
	var base string
	switch {
	case host == "github.com":
		base = "https://github.com/" + repo + "/blob/" + commit
	case host == "gitlab.com" || strings.HasPrefix(host, "gitlab."):
		base = "https://" + host + "/" + repo + "/-/blob/" + commit
	case host == "bitbucket.org":
		base = "https://bitbucket.org/" + repo + "/src/" + commit
	default:
		return ""
	}
	if prefix != "" {
		base += "/" + prefix
	}
	return base
}
