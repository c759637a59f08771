package tables

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFiltersString(t *testing.T) {
	require.Equal(t, "", Filters{}.String())
	require.Equal(t, "platform=windows; vendor=sigma,elastic; technique=T1595",
		Filters{Platforms: []string{"windows"}, Vendors: []string{"sigma", "elastic"}, Techniques: []string{"T1595"}}.String())
	require.Equal(t, "domain=cloud", Filters{Domains: []string{"cloud"}}.String())
}
