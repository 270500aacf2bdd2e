// Guest SDK: <fbl/unique_fd.h> -- fbl::unique_fd, owns one file descriptor
// and close()s it when destroyed or reset.  Written for this project to
// Fuchsia's public fbl API.  Header-only.
#ifndef FBL_UNIQUE_FD_H_
#define FBL_UNIQUE_FD_H_

#include <stdlib.h>
#include <unistd.h>

#include <utility>

#include <fbl/macros.h>

namespace fbl {

class unique_fd {
 public:
  constexpr unique_fd() : fd_(InvalidValue()) {}
  explicit unique_fd(int fd) : fd_(fd) {}
  ~unique_fd() { reset(); }
  DISALLOW_COPY_AND_ASSIGN_ALLOW_MOVE(unique_fd);

  unique_fd(unique_fd&& other) : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) {
    reset(other.release());
    return *this;
  }

  static constexpr int InvalidValue() { return -1; }

  // A new descriptor for the same file (dup()), or an invalid one.
  unique_fd duplicate() const { return unique_fd(is_valid() ? dup(fd_) : InvalidValue()); }

  // Gives up ownership without closing.
  int release() {
    int fd = fd_;
    fd_ = InvalidValue();
    return fd;
  }

  // Closes the descriptor held (if any) and takes |fd|.  Returns close()'s
  // result, or -1 if nothing was held.
  int reset(int fd = InvalidValue()) {
    int result = -1;
    if (fd_ != InvalidValue()) {
      result = close(fd_);
    }
    fd_ = fd;
    return result;
  }

  // Closes what is held and returns where to store a new descriptor (for C
  // calls with an int* out parameter).
  int* reset_and_get_address() {
    reset();
    return &fd_;
  }

  void swap(unique_fd& other) { std::swap(fd_, other.fd_); }

  int get() const { return fd_; }
  bool is_valid() const { return fd_ != InvalidValue(); }
  explicit operator bool() const { return is_valid(); }
  explicit operator int() const { return fd_; }

  bool operator==(const unique_fd& other) const { return fd_ == other.fd_; }
  bool operator!=(const unique_fd& other) const { return fd_ != other.fd_; }
  // Against a raw descriptor: fd == 3.
  bool operator==(int fd) const { return fd_ == fd; }
  bool operator!=(int fd) const { return fd_ != fd; }

 private:
  int fd_;
};

}  // namespace fbl

#endif  // FBL_UNIQUE_FD_H_
