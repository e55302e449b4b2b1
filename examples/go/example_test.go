package corepattern_test

import (
	"errors"
	"fmt"

	"corepattern"
)

func ExampleParse() {
	// The ACS annotation's pattern, expanded for a typical crash.
	p, err := corepattern.Parse([]byte("/data/dump-a/core-%E-%p-%t"))
	if err != nil {
		panic(err)
	}
	defer p.Close()

	o, err := p.Expand(corepattern.Settings{}, corepattern.ExampleCrash())
	if err != nil {
		panic(err)
	}
	fmt.Println(o.Kind, string(o.Path))

	// Recover the fields from the dump's name.
	m, err := corepattern.NewMatcher(p, corepattern.Settings{}, corepattern.TargetPath)
	if err != nil {
		panic(err)
	}
	defer m.Close()
	r, err := m.MatchName(o.Path, 1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d match: pid %s, exe %s\n", r.Count, r.Candidates[0]['p'].Bytes, r.Candidates[0]['E'].Bytes)

	// Errors carry the code and the span.
	_, err = corepattern.Parse([]byte("core.%p\n"))
	var e *corepattern.Error
	if errors.As(err, &e) {
		fmt.Println(e.Name, e.Start, e.End)
	}
	// Output:
	// file /data/dump-a/core-!usr!bin!myapp-1234-1700000000
	// 1 match: pid 1234, exe !usr!bin!myapp
	// CPAT_RESULT_PARSE_NEWLINE 7 8
}
