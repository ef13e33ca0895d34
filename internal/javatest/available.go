package javatest

import "os/exec"

// Available reports whether java and javac are on PATH, which Start needs.
func Available() bool {
	for _, tool := range []string{"java", "javac"} {
		if _, err := exec.LookPath(tool); err != nil {
			return false
		}
	}
	return true
}
