package yamlfast

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// resolvePlain returns the tag yaml.v3 gives an untagged plain scalar
// (the same decision procedure as yaml.v3's resolve).
func resolvePlain(in string) string {
	if in == "" {
		return "!!null"
	}
	switch c := in[0]; {
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		return resolveNumber(in)
	case c == '.':
		switch in {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return "!!float"
		}
		if _, err := strconv.ParseFloat(in, 64); err == nil {
			return "!!float"
		}
		return "!!str"
	case c == '<':
		if in == "<<" {
			return "!!merge"
		}
	case c == '~':
		if in == "~" {
			return "!!null"
		}
	case c == 't' || c == 'T' || c == 'f' || c == 'F':
		switch in {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return "!!bool"
		}
	case c == 'n' || c == 'N':
		switch in {
		case "null", "Null", "NULL":
			return "!!null"
		}
	}
	return "!!str"
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

func resolveNumber(in string) string {
	switch in {
	case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return "!!float"
	}
	// Timestamps start with four digits and '-'.
	i := 0
	for i < len(in) && in[i] >= '0' && in[i] <= '9' {
		i++
	}
	if i == 4 && i < len(in) && in[i] == '-' {
		for _, f := range timestampFormats {
			if _, err := time.Parse(f, in); err == nil {
				return "!!timestamp"
			}
		}
	}
	plain := strings.ReplaceAll(in, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return "!!int"
	}
	if yamlStyleFloat.MatchString(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return "!!float"
		}
	}
	if strings.HasPrefix(plain, "0b") {
		if _, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return "!!int"
		}
	} else if strings.HasPrefix(plain, "-0b") {
		if _, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return "!!int"
		}
	}
	if strings.HasPrefix(plain, "0o") {
		if _, err := strconv.ParseInt(plain[2:], 8, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(plain[2:], 8, 64); err == nil {
			return "!!int"
		}
	} else if strings.HasPrefix(plain, "-0o") {
		if _, err := strconv.ParseInt("-"+plain[3:], 8, 64); err == nil {
			return "!!int"
		}
	}
	return "!!str"
}
