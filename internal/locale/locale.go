// Package locale keeps Fyne from logging "Error parsing user locale C" at start-up on machines
// whose locale is C or POSIX (servers, CI, containers).
//
// Fyne reads the locale while its packages initialise, before any Go code of ours can run, so the
// fix is a C constructor, which runs before the Go runtime starts: it rewrites, in place, a C or
// POSIX locale in the process's own environment to en_US (or hides a bare "C", which Fyne reads as
// "no locale"). Import it for this side effect only: import _ "onair/internal/locale".
package locale

/*
#include <string.h>

extern char **environ;

static void onair_fix(char *entry, const char *name) {
	size_t n = strlen(name);
	if (strncmp(entry, name, n) != 0 || entry[n] != '=') return;
	char *v = entry + n + 1;
	if (strcmp(v, "POSIX") == 0 || (v[0] == 'C' && v[1] == '.' && strlen(v) >= 5)) {
		memcpy(v, "en_US", 6); // fits: the old value has at least 5 characters
	} else if (strcmp(v, "C") == 0) {
		entry[0] = '_'; // too short to rewrite: hide the variable
	}
}

__attribute__((constructor)) static void onair_fix_locale(void) {
	for (char **e = environ; e && *e; e++) {
		onair_fix(*e, "LC_ALL");
		onair_fix(*e, "LC_MESSAGES");
		onair_fix(*e, "LANG");
	}
}
*/
import "C"
