package pyrule

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// memRepo is a repository of modules held in memory: name → source.
type memRepo map[string]string

func (r memRepo) resolver(t testing.TB) Resolver {
	return func(name string) *Module {
		src, ok := r[name]
		if !ok {
			return nil
		}
		q, err := Parse(src)
		require.NoError(t, err, name)
		return &Module{Name: name, Path: "global_helpers/" + name + ".py", Query: q}
	}
}

func lowerIn(t testing.TB, src string, r memRepo, udm UDMResolver) ([]rule.Predicate, []string) {
	t.Helper()
	q, err := Parse(src)
	require.NoError(t, err)
	return rule.Flatten(LowerWith(q, "rule", Options{Path: "rules/r.py", Resolve: r.resolver(t), UDM: udm}))
}

const eventTypes = "MFA_DISABLED = \"mfa_disabled\"\nMFA_RESET = \"mfa_reset\"\n"

func TestModuleResolution(t *testing.T) {
	repo := memRepo{
		"panther_aws_helpers": "def aws_cloudtrail_success(event):\n" +
			"    if event.get(\"errorCode\", \"\") or event.get(\"errorMessage\", \"\"):\n        return False\n    return True\n" +
			"ADMIN = {\"root\", \"admin\"}\n" +
			"def actor(event):\n    return event.deep_get(\"userIdentity\", \"arn\")\n",
		"panther_event_type_helpers": eventTypes,
		"reexport":                   "from panther_aws_helpers import ADMIN\n",
		"cycle_a":                    "from cycle_b import g\ndef f(event):\n    return g(event)\n",
		"cycle_b":                    "from cycle_a import f\ndef g(event):\n    return f(event)\n",
		"lookups":                    "class Enrichment:\n    def matched(self):\n        return True\n",
		"outside":                    "import ipaddress\ndef is_private(event):\n    return ipaddress.ip_address(event.get(\"ip\")).is_private\n",
	}
	tests := map[string]struct {
		src, want, skip string
	}{
		"helper inlined": {"from panther_aws_helpers import aws_cloudtrail_success\n" +
			"def rule(event):\n    return aws_cloudtrail_success(event) and event.get(\"eventName\") == \"X\"\n",
			"errorCode is_null\nerrorCode eq \"false\"\nerrorCode eq \"\"\nerrorCode eq \"0\"\n" +
				"errorMessage is_null\nerrorMessage eq \"false\"\nerrorMessage eq \"\"\nerrorMessage eq \"0\"\neventName eq \"X\"\n", ""},
		"module alias constant": {"import panther_event_type_helpers as event_type\n" +
			"def rule(event):\n    return event.get(\"t\") == event_type.MFA_DISABLED\n", "t eq \"mfa_disabled\"\n", ""},
		"from import set": {"from panther_aws_helpers import ADMIN\ndef rule(event):\n    return event.get(\"u\") in ADMIN\n",
			"u in \"root\"\nu in \"admin\"\n", ""},
		"re-export followed": {"from reexport import ADMIN\ndef rule(event):\n    return event.get(\"u\") in ADMIN\n",
			"u in \"root\"\nu in \"admin\"\n", ""},
		"module call with alias": {"import panther_aws_helpers as h\ndef rule(event):\n    return h.actor(event) == \"a\"\n",
			"userIdentity.arn eq \"a\"\n", ""},
		"cycle detected": {"from cycle_a import f\ndef rule(event):\n    return f(event)\n", "",
			"recursive call of f() defined at global_helpers/cycle_a.py line 2"},
		"beyond the analysis names the module": {"from outside import is_private\ndef rule(event):\n    return is_private(event)\n", "",
			"global_helpers/outside.py line 3"},
		"repository class": {"from lookups import Enrichment\ndef rule(event):\n    return Enrichment(event).matched()\n", "",
			"call to class Enrichment defined at global_helpers/lookups.py line 1: objects of the repository's classes"},
		"python builtin": {"def rule(event):\n    return next(iter(event.get(\"a\")))\n", "",
			"call to Python builtin next(), beyond the analysis (line 2)"},
		"not in the repository": {"from nowhere import f\ndef rule(event):\n    return f(event)\n", "",
			"call to f imported from nowhere, a module outside the repository (line 3)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ps, skipped := lowerIn(t, tc.src, repo, nil)
			assert.Equal(t, tc.want, rule.Format(ps))
			if tc.skip == "" {
				assert.Empty(t, skipped)
			} else {
				require.NotEmpty(t, skipped)
				assert.Contains(t, skipped[0], tc.skip)
			}
		})
	}
}

func TestDeepHelperChainBounded(t *testing.T) {
	repo := memRepo{}
	for i := 0; i < 50; i++ {
		repo[fmt.Sprintf("m%d", i)] = fmt.Sprintf("from m%d import f%d\ndef f%d(event):\n    return f%d(event)\n", i+1, i+1, i, i+1)
	}
	repo["m50"] = "def f50(event):\n    return event.get(\"a\") == \"b\"\n"
	_, skipped := lowerIn(t, "from m0 import f0\ndef rule(event):\n    return f0(event)\n", repo, nil)
	require.Len(t, skipped, 1)
	assert.Contains(t, skipped[0], "calls nested deeper than")
	assert.Contains(t, skipped[0], ".py line 2")
}

func TestUDM(t *testing.T) {
	repo := memRepo{"panther_event_type_helpers": eventTypes}
	dm, err := Parse("import panther_event_type_helpers as event_type\n" +
		"def get_event_type(event):\n" +
		"    if event.get(\"eventType\") in [\"user.mfa.factor.deactivate\", \"user.mfa.factor.suspend\"]:\n" +
		"        if event.get(\"outcome\", {}).get(\"reason\", \"\").startswith(\"User reset\"):\n" +
		"            return event_type.MFA_RESET\n" +
		"        return event_type.MFA_DISABLED\n" +
		"    return None\n")
	require.NoError(t, err)
	okta := &Module{Name: "okta_data_model", Path: "data_models/okta_data_model.py", Query: dm}
	udm := func(name string) []UDMAlt {
		switch name {
		case "event_type":
			return []UDMAlt{{LogType: "Okta.SystemLog", Method: "get_event_type", Module: okta, Where: "data_models/okta.yml"}}
		case "source_ip":
			return []UDMAlt{{LogType: "Okta.SystemLog", Path: "client.ipAddress"},
				{LogType: "AWS.CloudTrail", Path: "sourceIPAddress"}}
		}
		return nil
	}
	src := "import panther_event_type_helpers as event_type\n" +
		"def rule(event):\n    return event.udm(\"event_type\") == event_type.MFA_DISABLED\n"
	ps, skipped := lowerIn(t, src, repo, udm)
	assert.Empty(t, skipped)
	assert.Equal(t, "eventType in \"user.mfa.factor.deactivate\"\neventType in \"user.mfa.factor.suspend\"\n"+
		"outcome.reason startswith \"User reset\" negated exclusion\n", rule.Format(ps))

	ps, skipped = lowerIn(t, "def rule(event):\n    return event.udm(\"source_ip\") == \"1.2.3.4\"\n", repo, udm)
	assert.Empty(t, skipped)
	assert.Equal(t, "client.ipAddress eq \"1.2.3.4\"\nsourceIPAddress eq \"1.2.3.4\"\n", rule.Format(ps))

	// a method the data model imports from a helper module
	repo["helpers"] = "def get_user(event):\n    return event.deep_get(\"userIdentity\", \"arn\")\n"
	dm2, err := Parse("from helpers import get_user\n")
	require.NoError(t, err)
	imported := &Module{Name: "aws_data_model", Path: "data_models/aws_data_model.py", Query: dm2}
	ps, skipped = lowerIn(t, "def rule(event):\n    return event.udm(\"actor\") == \"a\"\n", repo, func(string) []UDMAlt {
		return []UDMAlt{{LogType: "AWS.CloudTrail", Method: "get_user", Module: imported, Where: "data_models/aws.yml"}}
	})
	assert.Empty(t, skipped)
	assert.Equal(t, "userIdentity.arn eq \"a\"\n", rule.Format(ps))

	ps, _ = lowerIn(t, "def rule(event):\n    return event.udm(\"unmapped\") == \"x\"\n", repo, udm)
	assert.Equal(t, "unmapped eq \"x\"\n", rule.Format(ps), "a udm name no data model maps stays the name")
}

// TestUDMMethodResults covers data-model methods whose results are literals
// and parts of split fields (the Kubernetes models of panther-analysis).
func TestUDMMethodResults(t *testing.T) {
	dm, err := Parse("def get_name(event):\n" +
		"    if event.get(\"svc\") != \"k8s.io\":\n        return None\n" +
		"    parts = str(event.get(\"res\", \"\")).split(\"/\")\n" +
		"    if len(parts) >= 4:\n        return parts[3]\n" +
		"    return \"\"\n")
	require.NoError(t, err)
	gcp := &Module{Name: "gcp_data_model", Path: "data_models/gcp_data_model.py", Query: dm}
	udm := func(name string) []UDMAlt {
		return []UDMAlt{{LogType: "GCP.AuditLog", Method: "get_name", Module: gcp, Where: "data_models/gcp.yml"}}
	}
	src := "NAMES = {\"system:a\", \"\"}\ndef rule(event):\n    name = event.udm(\"name\") or \"\"\n" +
		"    if name in NAMES:\n        return False\n    return name.startswith(\"system:\")\n"
	ps, skipped := lowerIn(t, src, memRepo{}, udm)
	assert.Empty(t, skipped)
	// None or "" is "", which NAMES holds; "" does not start with system:
	// (not (k8s and 4 parts and part 3 in NAMES)) and k8s and 4 parts and part 3 startswith system:
	assert.Equal(t, "svc eq \"k8s.io\" exclusion\n"+
		"res regex_match \"^(?:[^/]*/){3}\" exclusion\n"+
		"res regex_match \"^(?:[^/]*/){3}system:a(?:/|\\\\Z)\" negated exclusion\n"+
		"res regex_match \"^(?:[^/]*/){3}(?:/|\\\\Z)\" negated exclusion\n"+
		"svc eq \"k8s.io\"\n"+
		"res regex_match \"^(?:[^/]*/){3}\"\n"+
		"res regex_match \"^(?:[^/]*/){3}system:\"\n", rule.Format(ps))
}

// TestHelperValue covers a helper whose result does not depend on the
// event (the WAF helpers of panther-analysis normalise a literal argument),
// docstrings included.
func TestHelperValue(t *testing.T) {
	repo := memRepo{"h": "def norm(g):\n    \"\"\"A list.\"\"\"\n    if isinstance(g, str):\n        return [g]\n    return g\n\n" +
		"def any_group(value, groups):\n    return any(group in value for group in groups)\n\n" +
		"def m(event, groups):\n    groups = norm(groups)\n    if any_group(event.get(\"a\", \"\"), groups):\n        return True\n" +
		"    for group in event.get(\"l\", []) or []:\n        if not any_group(group.get(\"r\", \"\"), groups):\n            continue\n        return True\n    return False\n"}
	ps, skipped := lowerIn(t, "from h import m\nRG = \"X\"\ndef rule(event):\n    return m(event, RG) or m(event, [\"Y\", \"Z\"])\n", repo, nil)
	assert.Empty(t, skipped)
	assert.Equal(t, "a contains \"X\"\nl.r contains \"X\"\na contains \"Y\"\na contains \"Z\"\nl.r contains \"Y\"\nl.r contains \"Z\"\n", rule.Format(ps))

	repo["h"] = "def norm(e, g):\n    if e.get(\"k\"):\n        return [g]\n    return g\n" +
		"def m(event, groups):\n    return any(x in event.get(\"a\", \"\") for x in norm(event, groups))\n"
	_, skipped = lowerIn(t, "from h import m\ndef rule(event):\n    return m(event, \"X\")\n", repo, nil)
	assert.Len(t, skipped, 1, "a result that depends on the event is not a value")
}

func TestHugeModule(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "C%d = \"v%d\"\ndef f%d(event):\n    return event.get(\"a\") == C%d\n", i, i, i, i)
	}
	repo := memRepo{"big": b.String()}
	ps, skipped := lowerIn(t, "from big import f4999\ndef rule(event):\n    return f4999(event)\n", repo, nil)
	assert.Empty(t, skipped)
	assert.Equal(t, "a eq \"v4999\"\n", rule.Format(ps))
}

// FuzzResolve lowers a rule that imports a fuzzed helper module (which
// every import name resolves to, so it can import itself: cycles), and a
// fuzzed data-model method: lowering must end, without panicking, and
// every skip reason must name a line or the module.
func FuzzResolve(f *testing.F) {
	f.Add("from h import f\ndef f(event):\n    return f(event)\n", "def m(event):\n    return m(event)\n")
	f.Add("import h as g\nX = g.X\ndef f(event):\n    return event.get(\"a\") in g.X\n", "def m(event):\n    if event.get(\"a\"):\n        return 'x'\n    return None\n")
	f.Add("from h import X\nX = X | {\"a\"}\ndef f(event):\n    return g.f(event) and f(event)\n", "import h\ndef m(event):\n    return h.X if event.get(\"b\") else h.f(event)\n")
	f.Add(strings.Repeat("def f(event):\n    return f(event) or f(event)\n", 50), "def m(e):\n    return {\"a\": \"x\"}.get(e.get(\"k\"))\n")
	// a deep chain of helpers inside one module, and a huge module
	var chain strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&chain, "def f%d(event):\n    return f%d(event) == \"x\"\n", i, i+1)
	}
	chain.WriteString("def f40(event):\n    return event.get(\"a\").split(\"/\")[2]\ndef f(event):\n    return f0(event)\n")
	f.Add(chain.String(), "def m(event):\n    if (n := event.get(\"a\")):\n        return n or \"d\"\n    return None\n")
	var huge strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&huge, "C%d = {\"v%d\", \"w%d\"}\n", i, i, i)
	}
	huge.WriteString("X = C0 | C2999\ndef f(event, n=C1):\n    if isinstance(n, str):\n        return [n]\n    return event.get(\"p\", \"\").split(\":\")[1] in n\n")
	f.Add(huge.String(), "def m(event):\n    return event.get(\"a\") or event.get(\"b\") or \"none\"\n")
	f.Fuzz(func(t *testing.T, helper, method string) {
		hq, err := Parse(helper)
		if err != nil {
			return
		}
		mq, err := Parse(method)
		if err != nil {
			return
		}
		mod := &Module{Name: "h", Path: "global_helpers/h.py", Query: hq}
		dm := &Module{Name: "dm", Path: "data_models/dm.py", Query: mq}
		resolve := func(string) *Module { return mod }
		udm := func(string) []UDMAlt {
			return []UDMAlt{{LogType: "L", Method: "m", Module: dm}, {LogType: "M", Path: "a.b"}}
		}
		q, err := Parse("import h\nfrom h import f, X\ndef rule(event):\n" +
			"    return f(event) and h.f(event) and event.get(\"x\") in X and event.udm(\"u\") == \"x\" and\n" +
			"        f(event) != \"DEFAULT\" and any(v in event.get(\"s\", \"\") for v in h.f(\"k\"))\n")
		require.NoError(t, err)
		_, skipped := rule.Flatten(LowerWith(q, "rule", Options{Path: "r.py", Resolve: resolve, UDM: udm}))
		for _, s := range skipped {
			if !strings.Contains(s, "line") && !strings.Contains(s, ".py") {
				t.Errorf("skip reason naming neither a line nor a module: %q", s)
			}
		}
	})
}
