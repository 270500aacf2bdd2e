// Guest SDK: <fbl/string_buffer.h> -- fbl::StringBuffer<N>, a fixed-capacity
// string kept inline (N characters plus a terminating NUL), that never
// allocates.  Appends that do not fit are cut off at the capacity.  Written
// for this project to Fuchsia's public fbl API.  Header-only.
#ifndef FBL_STRING_BUFFER_H_
#define FBL_STRING_BUFFER_H_

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <zircon/assert.h>
#include <zircon/compiler.h>

#include <string_view>

namespace fbl {

template <size_t N>
class StringBuffer final {
 public:
  static_assert(N > 0, "StringBuffer needs a capacity of at least 1");

  constexpr StringBuffer() : data_{} {}
  // One character (constexpr, so a global needs no dynamic initialiser).
  constexpr explicit StringBuffer(char c) : length_(1), data_{c} {}
  StringBuffer(const StringBuffer& other) { Copy(other); }
  StringBuffer& operator=(const StringBuffer& other) {
    if (this != &other) {
      Copy(other);
    }
    return *this;
  }

  const char* data() const { return data_; }
  char* data() { return data_; }
  const char* c_str() const { return data_; }

  size_t length() const { return length_; }
  size_t size() const { return length_; }
  bool empty() const { return length_ == 0; }
  constexpr size_t capacity() const { return N; }

  const char* begin() const { return data_; }
  const char* cbegin() const { return data_; }
  const char* end() const { return data_ + length_; }
  const char* cend() const { return data_ + length_; }
  char* begin() { return data_; }
  char* end() { return data_ + length_; }

  // Index |pos| (<= length(); [length()] is the NUL).
  const char& operator[](size_t pos) const { return data_[pos]; }
  char& operator[](size_t pos) { return data_[pos]; }

  // Sets the length to |count| (at most the capacity), filling new
  // characters with |ch|.
  void Resize(size_t count, char ch = '\0') {
    if (count > N) {
      count = N;
    }
    if (count > length_) {
      memset(data_ + length_, ch, count - length_);
    }
    length_ = count;
    data_[length_] = '\0';
  }

  // Replaces the contents with |piece| (cut off at the capacity).
  void Set(std::string_view piece) {
    Clear();
    Append(piece);
  }

  void Clear() {
    length_ = 0;
    data_[0] = '\0';
  }

  StringBuffer& Append(char ch) { return Append(&ch, 1); }
  StringBuffer& Append(const char* data) { return Append(data, strlen(data)); }
  StringBuffer& Append(const char* data, size_t length) {
    size_t room = N - length_;
    if (length > room) {
      length = room;
    }
    memcpy(data_ + length_, data, length);
    length_ += length;
    data_[length_] = '\0';
    return *this;
  }
  StringBuffer& Append(std::string_view piece) { return Append(piece.data(), piece.size()); }

  // Appends printf-formatted text (cut off at the capacity).
  StringBuffer& AppendPrintf(const char* format, ...) __PRINTFLIKE(2, 3) {
    va_list ap;
    va_start(ap, format);
    AppendVPrintf(format, ap);
    va_end(ap);
    return *this;
  }
  StringBuffer& AppendVPrintf(const char* format, va_list ap) {
    size_t room = N - length_;
    int n = vsnprintf(data_ + length_, room + 1, format, ap);
    if (n > 0) {
      length_ += static_cast<size_t>(n) < room ? static_cast<size_t>(n) : room;
    }
    data_[length_] = '\0';
    return *this;
  }

  // Removes the first |count| characters (at most length()).
  void RemovePrefix(size_t count) {
    if (count > length_) {
      count = length_;
    }
    memmove(data_, data_ + count, length_ - count);
    length_ -= count;
    data_[length_] = '\0';
  }

  std::string_view ToStringPiece() const { return std::string_view(data_, length_); }
  operator std::string_view() const { return ToStringPiece(); }

 private:
  void Copy(const StringBuffer& other) {
    length_ = other.length_;
    memcpy(data_, other.data_, length_ + 1);
  }

  size_t length_ = 0;
  char data_[N + 1];
};

template <size_t N>
bool operator==(const StringBuffer<N>& a, std::string_view b) {
  return a.ToStringPiece() == b;
}
template <size_t N>
bool operator!=(const StringBuffer<N>& a, std::string_view b) {
  return !(a == b);
}

}  // namespace fbl

#endif  // FBL_STRING_BUFFER_H_
