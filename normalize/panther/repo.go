package panther

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/panther/pyrule"
	"github.com/ruleatlas/ruleatlas/normalize/yamlfast"
)

// globalHelpers is the folder of panther-analysis's shared helper modules.
const globalHelpers = "global_helpers"

// repo is the repository context shared by the rules of one root: the
// Python modules they import (parsed once) and the data models.
type repo struct {
	root string

	mu   sync.Mutex
	mods map[string]*modEntry // by repository-relative path

	dmOnce sync.Once
	models map[string][]*dataModel // by log type
	dmErrs []string

	qOnce   sync.Once
	queries map[string]*savedQuery // by QueryName

}

type modEntry struct {
	once sync.Once
	mod  *pyrule.Module // nil when the file is absent or does not parse
}

// dataModel is one `AnalysisType: datamodel` file.
type dataModel struct {
	id, path string
	file     string // the Python file beside it, repository-relative ("" when none)
	mappings map[string]mapping
}

type mapping struct{ path, method string }

func newRepo(root string) *repo {
	return &repo{root: root, mods: map[string]*modEntry{}}
}

// module parses the Python file rel once; nil when it is absent or broken.
func (r *repo) module(rel string) *pyrule.Module {
	if r == nil || r.root == "" {
		return nil
	}
	r.mu.Lock()
	e := r.mods[rel]
	if e == nil {
		e = &modEntry{}
		r.mods[rel] = e
	}
	r.mu.Unlock()
	e.once.Do(func() {
		data, err := readLimited(filepath.Join(r.root, filepath.FromSlash(rel)), pyrule.MaxSource)
		if err != nil || !utf8.Valid(data) {
			return
		}
		q, err := pyrule.Parse(string(data))
		if err != nil {
			return
		}
		name := strings.TrimSuffix(path.Base(rel), ".py")
		e.mod = &pyrule.Module{Name: name, Path: rel, Query: q}
	})
	return e.mod
}

// resolver finds imported modules for code in dir: a module beside it
// first, then the global helpers.
func (r *repo) resolver(dir string) pyrule.Resolver {
	return func(name string) *pyrule.Module {
		if name == "" || strings.ContainsAny(name, "/\\") {
			return nil
		}
		file := strings.ReplaceAll(name, ".", "/") + ".py"
		for _, rel := range []string{path.Join(dir, file), path.Join(globalHelpers, file)} {
			if m := r.module(rel); m != nil {
				return m
			}
		}
		return nil
	}
}

// yamlFiles lists the YAML files under the repository folder dir, as
// slash-separated paths relative to the root, sorted; an unreadable folder
// gives what could be read.
func (r *repo) yamlFiles(dir string) []string {
	var files []string
	_ = filepath.WalkDir(filepath.Join(r.root, dir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			if rel, err := filepath.Rel(r.root, p); err == nil {
				files = append(files, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	sort.Strings(files)
	return files
}

// loadModels reads data_models/**/*.yml once.
func (r *repo) loadModels() {
	r.dmOnce.Do(func() {
		r.models = map[string][]*dataModel{}
		if r.root == "" {
			return
		}
		for _, rel := range r.yamlFiles("data_models") {
			p := filepath.Join(r.root, filepath.FromSlash(rel))
			dm, lts, err := readDataModel(p, rel)
			if err != nil {
				r.dmErrs = append(r.dmErrs, fmt.Sprintf("%s: %v", rel, err))
				continue
			}
			if dm == nil {
				continue
			}
			for _, lt := range lts {
				r.models[lt] = append(r.models[lt], dm)
			}
		}
	})
}

func readDataModel(p, rel string) (*dataModel, []string, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, nil, err
	}
	var doc yaml.Node
	if err := yamlfast.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, nil
	}
	root := doc.Content[0]
	if !strings.EqualFold(strings.TrimSpace(scalar(root, "AnalysisType")), "datamodel") {
		return nil, nil, nil
	}
	if strings.EqualFold(strings.TrimSpace(scalar(root, "Enabled")), "false") {
		return nil, nil, nil
	}
	dm := &dataModel{id: strings.TrimSpace(scalar(root, "DataModelID")), path: rel, mappings: map[string]mapping{}}
	if fn := strings.TrimSpace(scalar(root, "Filename")); fn != "" {
		dm.file = path.Join(path.Dir(rel), filepath.ToSlash(fn))
	}
	if ms := get(root, "Mappings"); ms != nil {
		for _, m := range ms.Content {
			name := strings.TrimSpace(scalar(m, "Name"))
			if name == "" {
				continue
			}
			mp := mapping{method: strings.TrimSpace(scalar(m, "Method"))}
			if p := scalar(m, "Path"); p != "" {
				mp.path = keyPath(p)
			}
			dm.mappings[name] = mp
		}
	}
	return dm, scalars(get(root, "LogTypes")), nil
}

// udmResolver maps udm names for a rule of the given log types.
func (r *repo) udmResolver(logTypes []string) pyrule.UDMResolver {
	if r == nil || r.root == "" {
		return nil
	}
	r.loadModels()
	return func(name string) []pyrule.UDMAlt {
		var out []pyrule.UDMAlt
		for _, lt := range logTypes {
			for _, dm := range r.models[lt] {
				mp, ok := dm.mappings[name]
				if !ok {
					continue
				}
				alt := pyrule.UDMAlt{LogType: lt, Path: mp.path, Method: mp.method, Where: dm.path}
				if mp.method != "" && dm.file != "" {
					alt.Module = r.module(dm.file)
				}
				out = append(out, alt)
			}
		}
		return out
	}
}
