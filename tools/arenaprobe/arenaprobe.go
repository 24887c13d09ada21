// Package arenaprobe counts malloc arenas after threads allocate together. Only cmalloc's test
// imports it (cgo is not allowed in _test files), so the program itself does not carry it.
package arenaprobe

/*
#cgo LDFLAGS: -lpthread
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_barrier_t onair_barrier;

static void *onair_alloc(void *arg) {
	pthread_barrier_wait(&onair_barrier); // all at once: contention is what makes glibc add arenas
	void *p[64];
	for (int i = 0; i < 64; i++) p[i] = malloc(4096);
	for (int i = 0; i < 64; i++) free(p[i]);
	return NULL;
}

// onair_arenas starts n threads that allocate together, then counts the heaps malloc_info lists.
static int onair_arenas(int n) {
	pthread_t t[64];
	pthread_barrier_init(&onair_barrier, NULL, n);
	for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, onair_alloc, NULL);
	for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
	pthread_barrier_destroy(&onair_barrier);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	malloc_info(0, f);
	fclose(f);
	int heaps = 0;
	for (char *s = buf; (s = strstr(s, "<heap nr=")) != NULL; s++) heaps++;
	free(buf);
	return heaps;
}
*/
import "C"

// AfterThreads starts n threads (at most 64) that allocate at once, and returns how many arenas
// malloc then has.
func AfterThreads(n int) int { return int(C.onair_arenas(C.int(min(n, 64)))) }
