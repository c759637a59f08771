package pyrule

/*
#include <stddef.h>

// Declared by tree-sitter's api.h (the go-tree-sitter module compiles and
// links the library); repeated here so this package needs no include path.
void ts_set_allocator(void *(*new_malloc)(size_t), void *(*new_calloc)(size_t, size_t),
	void *(*new_realloc)(void *, size_t), void (*new_free)(void *));

static void ruleatlas_ts_default_allocator(void) { ts_set_allocator(NULL, NULL, NULL, NULL); }
*/
import "C"

import (
	_ "github.com/tree-sitter/go-tree-sitter" // initialised first: its init installs the allocator replaced here
)

// go-tree-sitter's init routes every allocation of the C library through
// exported Go functions (go_malloc, go_free, …) that only call C's malloc
// and free again: a cgo callback per allocation, about a third of the
// parse time of a Panther repository. Resetting tree-sitter to its default
// allocator calls the same malloc and free directly, so memory allocated
// before the reset is still freed correctly.
func init() {
	C.ruleatlas_ts_default_allocator()
}
