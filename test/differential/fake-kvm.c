// LD_PRELOAD helper for the differential suite, Linux x86-64 only.
//
// BoxLite's engine refuses to create a runtime unless /dev/kvm opens and a
// one-instruction guest (HLT) runs on it (src/boxlite/src/system_check.rs).
// Hosts without /dev/kvm (containers, CI runners) therefore cannot run even
// the operations that never boot a VM: create, get, list, remove, metrics.
// This preload answers that startup probe, and nothing else: /dev/kvm
// "exists", opening it gives a memfd, and the probe's ioctls succeed with
// KVM_RUN reporting KVM_EXIT_HLT. Any VM boot would still fail (no guest ever
// runs), so the suite only uses it for paths without a VM. It is only loaded
// into the driver process, never into the process under test.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int fake_fds[8];
static int fake_count;

static int is_kvm_path(const char* p) { return p != NULL && strcmp(p, "/dev/kvm") == 0; }

static int is_fake(int fd) {
  for (int i = 0; i < fake_count; i++)
    if (fake_fds[i] == fd) return 1;
  return 0;
}

// A one-page memfd stands in for /dev/kvm, the VM and the vCPU (the vCPU's
// kvm_run area is mmap'd from it).
static int new_fake_fd(void) {
  int fd = memfd_create("boxlite-fake-kvm", MFD_CLOEXEC);
  if (fd < 0) return -1;
  if (ftruncate(fd, 4096) != 0) {
    close(fd);
    return -1;
  }
  if (fake_count < (int)(sizeof fake_fds / sizeof fake_fds[0])) fake_fds[fake_count++] = fd;
  return fd;
}

#define FORWARD_OPEN(name, ...)                                                    \
  static int (*real)(__VA_ARGS__);                                                 \
  if (real == NULL) real = (int (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name);

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = va_arg(ap, mode_t);
  va_end(ap);
  if (is_kvm_path(path)) return new_fake_fd();
  FORWARD_OPEN("open", const char*, int, ...)
  return real(path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = va_arg(ap, mode_t);
  va_end(ap);
  if (is_kvm_path(path)) return new_fake_fd();
  FORWARD_OPEN("open64", const char*, int, ...)
  return real(path, flags, mode);
}

int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = va_arg(ap, mode_t);
  va_end(ap);
  if (is_kvm_path(path)) return new_fake_fd();
  FORWARD_OPEN("openat", int, const char*, int, ...)
  return real(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = va_arg(ap, mode_t);
  va_end(ap);
  if (is_kvm_path(path)) return new_fake_fd();
  FORWARD_OPEN("openat64", int, const char*, int, ...)
  return real(dirfd, path, flags, mode);
}

int statx(int dirfd, const char* path, int flags, unsigned int mask, struct statx* st) {
  if (is_kvm_path(path)) {
    memset(st, 0, sizeof *st);
    st->stx_mask = STATX_BASIC_STATS;
    st->stx_mode = S_IFCHR | 0666;
    return 0;
  }
  static int (*real)(int, const char*, int, unsigned int, struct statx*);
  if (real == NULL) real = (int (*)(int, const char*, int, unsigned int, struct statx*))dlsym(RTLD_NEXT, "statx");
  return real(dirfd, path, flags, mask, st);
}

int stat64(const char* path, struct stat64* st) {
  if (is_kvm_path(path)) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFCHR | 0666;
    return 0;
  }
  static int (*real)(const char*, struct stat64*);
  if (real == NULL) real = (int (*)(const char*, struct stat64*))dlsym(RTLD_NEXT, "stat64");
  return real(path, st);
}

int ioctl(int fd, unsigned long request, ...) {
  va_list ap;
  va_start(ap, request);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  if (is_fake(fd)) {
    switch (request) {
      case KVM_GET_API_VERSION: return KVM_API_VERSION;
      case KVM_CREATE_VM:
      case KVM_CREATE_VCPU: return new_fake_fd();
      case KVM_GET_VCPU_MMAP_SIZE: return 4096;
      case KVM_RUN: {
        // struct kvm_run: exit_reason is the u32 at offset 8.
        uint32_t reason = KVM_EXIT_HLT;
        return pwrite(fd, &reason, sizeof reason, 8) == (ssize_t)sizeof reason ? 0 : -1;
      }
      default: return 0;
    }
  }
  static int (*real)(int, unsigned long, ...);
  if (real == NULL) real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
  return real(fd, request, arg);
}
