// LD_PRELOAD tracer: every allocation >= BIGALLOC_MIN bytes (default 64 MiB) with its native backtrace, and its free.
// gcc -O1 -shared -fPIC -o /tmp/bigalloc.so bench/bigalloc.c -ldl -lpthread
// LD_PRELOAD=/tmp/bigalloc.so java ... 2> trace.err; /usr/bin/python3 bench/bigalloc_alive.py trace.err
// (per step: the peak of in-step allocations alive at once, by libnd4j op). docs/performance.md "VGG16 full fine-tuning".

#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/mman.h>
#include <fcntl.h>

static void *(*r_malloc)(size_t); static void (*r_free)(void *); static void *(*r_calloc)(size_t, size_t);
static void *(*r_realloc)(void *, size_t); static int (*r_pm)(void **, size_t, size_t);
static void *(*r_aa)(size_t, size_t); static void *(*r_memalign)(size_t, size_t);
static void *(*r_mmap)(void *, size_t, int, int, int, off_t); static int (*r_munmap)(void *, size_t);
static size_t minsz = 64u << 20; static __thread int busy; static int fd = 2;
static char boot[4096]; static size_t bootused;
#define N 4096
static void *ptrs[N]; static size_t sizes[N]; static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void init(void) {
  static int done; if (done) return; done = 1;
  r_malloc = dlsym(RTLD_NEXT, "malloc"); r_free = dlsym(RTLD_NEXT, "free"); r_calloc = dlsym(RTLD_NEXT, "calloc");
  r_realloc = dlsym(RTLD_NEXT, "realloc"); r_pm = dlsym(RTLD_NEXT, "posix_memalign"); r_aa = dlsym(RTLD_NEXT, "aligned_alloc");
  r_memalign = dlsym(RTLD_NEXT, "memalign"); r_mmap = dlsym(RTLD_NEXT, "mmap"); r_munmap = dlsym(RTLD_NEXT, "munmap");
  char *m = getenv("BIGALLOC_MIN"); if (m) minsz = strtoull(m, 0, 10);
  char *f = getenv("BIGALLOC_LOG"); if (f) { int x = open(f, 01 | 0100 | 02000, 0644); if (x >= 0) fd = x; }
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void logit(const char *what, void *p, size_t sz) {
  if (busy) return; busy = 1;
  char buf[200]; int n = snprintf(buf, sizeof buf, "== %s %p %zu bytes (%.1f MiB) tid %ld t %.3f\n", what, p, sz, sz / 1048576.0, (long) syscall(SYS_gettid), now());
  write(fd, buf, n);
  void *bt[40]; int k = backtrace(bt, 40); backtrace_symbols_fd(bt, k, fd); write(fd, "\n", 1);
  pthread_mutex_lock(&mu); for (int i = 0; i < N; i++) if (!ptrs[i]) { ptrs[i] = p; sizes[i] = sz; break; } pthread_mutex_unlock(&mu);
  busy = 0;
}
static void logfree(void *p) {
  if (!p) return; size_t sz = 0;
  pthread_mutex_lock(&mu); for (int i = 0; i < N; i++) if (ptrs[i] == p) { sz = sizes[i]; ptrs[i] = 0; break; } pthread_mutex_unlock(&mu);
  if (sz) { char buf[160]; int n = snprintf(buf, sizeof buf, "== free %p %zu bytes (%.1f MiB) tid %ld t %.3f\n\n", p, sz, sz / 1048576.0, (long) syscall(SYS_gettid), now()); write(fd, buf, n); }
}
void *malloc(size_t s) { if (!r_malloc) init(); void *p = r_malloc(s); if (s >= minsz) logit("malloc", p, s); return p; }
void *calloc(size_t a, size_t b) {
  if (!r_calloc) { if (bootused + a * b > sizeof boot) return 0; void *p = boot + bootused; bootused += (a * b + 15) & ~15ul; return p; }
  void *p = r_calloc(a, b); if (a * b >= minsz) logit("calloc", p, a * b); return p; }
void free(void *p) { if ((char *) p >= boot && (char *) p < boot + sizeof boot) return; if (!r_free) init(); logfree(p); r_free(p); }
void *realloc(void *q, size_t s) { if (!r_realloc) init(); logfree(q); void *p = r_realloc(q, s); if (s >= minsz) logit("realloc", p, s); return p; }
int posix_memalign(void **out, size_t al, size_t s) { if (!r_pm) init(); int r = r_pm(out, al, s); if (!r && s >= minsz) logit("posix_memalign", *out, s); return r; }
void *aligned_alloc(size_t al, size_t s) { if (!r_aa) init(); void *p = r_aa(al, s); if (s >= minsz) logit("aligned_alloc", p, s); return p; }
void *memalign(size_t al, size_t s) { if (!r_memalign) init(); void *p = r_memalign(al, s); if (s >= minsz) logit("memalign", p, s); return p; }
void *mmap(void *a, size_t s, int pr, int fl, int f, off_t o) { if (!r_mmap) init(); void *p = r_mmap(a, s, pr, fl, f, o); if (s >= minsz && f < 0 && pr != PROT_NONE) logit("mmap", p, s); return p; }
int munmap(void *p, size_t s) { if (!r_munmap) init(); logfree(p); return r_munmap(p, s); }
