//go:build ignore

// gen writes the compact embedded ATT&CK default from a STIX bundle:
//
//	go run gen.go -in enterprise-attack.json -version 18.1 -out default.json.gz
package main

import (
	"bytes"
	"flag"
	"log"
	"os"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
)

func main() {
	in := flag.String("in", "", "STIX bundle")
	out := flag.String("out", "default.json.gz", "output file")
	version := flag.String("version", "", "ATT&CK version of the bundle, when the bundle does not say")
	flag.Parse()
	m, err := attack.Load(*in)
	if err != nil {
		log.Fatal(err)
	}
	if *version != "" && (m.Version == "" || m.Version == "unknown") {
		m.Version = *version
	}
	var buf bytes.Buffer
	if err := m.Compact(&buf); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: ATT&CK %s, %d tactics, %d techniques, %d bytes", *out, m.Version, len(m.Tactics), len(m.List), buf.Len())
}
