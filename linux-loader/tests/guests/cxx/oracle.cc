// Built natively with g++ and as a guest with sdk/zx-c++: both must print
// the same bytes and exit with the same status (linux-loader/tests/cxx.rs).
// Formats and conversions, containers and strings, the heap, exceptions,
// threads and thread-local storage, static construction and destruction
// order, atexit order.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

struct Noisy {
  const char* name;
  explicit Noisy(const char* n) : name(n) { std::printf("construct %s\n", name); }
  ~Noisy() { std::printf("destroy %s\n", name); }
};
Noisy first("first global");
Noisy second("second global");

static Noisy& lazy() {
  static Noisy n("function-local static");
  return n;
}

thread_local int tls_counter = 100;

static void formats() {
  const double values[] = {0.0, -0.0, 1.0, 0.1, 1.0 / 3, 2.5, 3.5, 1e-7, 123456789.125, 1e300,
                           -1e-300, 6.02214076e23, INFINITY, -INFINITY, NAN, 0.5, 1.5, 1e21,
                           9.999999e-5, 4.35};
  const char* fmts[] = {"%f", "%.0f", "%.3f", "%e", "%.10e", "%g", "%.17g", "%a", "%12.4f",
                        "%-12.2e|", "%+g", "% .3g", "%#.0f", "%#g", "%010.3f"};
  for (const char* f : fmts) {
    std::printf("%-8s", f);
    for (double v : values) {
      char buf[128];
      std::snprintf(buf, sizeof(buf), f, v);
      std::printf(" [%s]", buf);
    }
    std::printf("\n");
  }
  // (Not %p of NULL: glibc prints "(nil)", musl and Fuchsia "0".)
  std::printf("%d %i %u %x %X %o %c %s %% %5d|%-5d|%05d %lld %llu %zu %p\n", -42, 7, 42u, 255u,
              255u, 8u, 'z', "str", 3, 3, 3, -9000000000ll, 18000000000000000000ull,
              (size_t)12345, (void*)0x1234);
  std::printf("%" PRId64 " %" PRIx64 " %hhd %hd %.3s %*d %-*d|\n", INT64_MIN, UINT64_MAX,
              (signed char)300, (short)70000, "truncate", 6, 42, 6, 42);
  char small[8];
  int n = std::snprintf(small, sizeof(small), "%s", "much longer than eight");
  std::printf("snprintf -> %d [%s]\n", n, small);
}

static void conversions() {
  const char* inputs[] = {"0", "1.5", "-2.25e3", "0x1p-3", "1e400", "1e-400", "inf", "nan",
                          "  42abc", "abc", "0.1", "123456789012345678901234567890"};
  for (const char* s : inputs) {
    char* end;
    errno = 0;
    double d = std::strtod(s, &end);
    // ERANGE only: on no conversion musl (and Fuchsia) also set EINVAL, glibc does not.
    std::printf("strtod(%s) = %.17g erange=%d rest=[%s]\n", s, d, errno == ERANGE, end);
  }
  const char* ints[] = {"42", "-42", "0x1f", "077", "9223372036854775807", "9223372036854775808",
                        "-9223372036854775809", "  +7z", ""};
  for (const char* s : ints) {
    char* end;
    errno = 0;
    long v = std::strtol(s, &end, 0);
    std::printf("strtol(%s) = %ld erange=%d rest=[%s]\n", s, v, errno == ERANGE, end);
    errno = 0;
    unsigned long u = std::strtoul(s, &end, 10);
    std::printf("strtoul(%s) = %lu erange=%d\n", s, u, errno == ERANGE);
  }
  std::printf("atoi=%d atol=%ld abs=%d labs=%ld div=%d,%d\n", std::atoi(" -17x"), std::atol("99"),
              std::abs(-5), std::labs(-6l), std::div(17, 5).quot, std::div(17, 5).rem);
  std::printf("math: %.6f %.6f %.6f %.6f %.6f %.6f %.6f\n", std::sqrt(2.0), std::sin(1.0),
              std::exp(1.0), std::log(10.0), std::pow(2.0, 0.5), std::atan2(1.0, 2.0),
              std::fmod(7.5, 2.0));
}

static void containers() {
  std::vector<int> v(20);
  std::iota(v.begin(), v.end(), -7);
  std::sort(v.begin(), v.end(), [](int a, int b) { return std::abs(a) < std::abs(b) || (std::abs(a) == std::abs(b) && a < b); });
  for (int x : v) std::printf("%d ", x);
  std::printf("\n");
  std::map<std::string, int> m{{"pear", 3}, {"apple", 1}, {"fig", 2}};
  m["kiwi"] = 4;
  for (auto& [k, val] : m) std::printf("%s=%d ", k.c_str(), val);
  std::printf("\n");
  std::set<int> s{5, 1, 4, 1, 3};
  std::printf("set size %zu first %d last %d\n", s.size(), *s.begin(), *s.rbegin());
  std::unordered_map<int, int> u;
  for (int i = 0; i < 1000; i++) u[i * 7 % 101] += i;
  long sum = 0;
  for (auto& [k, val] : u) sum += (long)k * val;
  std::printf("unordered %zu %ld\n", u.size(), sum);
  std::string str = "Hello";
  str += ", world";
  str.insert(5, "!");
  std::printf("%s %zu %s %zu\n", str.c_str(), str.size(), str.substr(7, 5).c_str(),
              str.find("world"));
  std::ostringstream os;
  os << std::setw(8) << std::setfill('*') << 42 << ' ' << std::hex << 255 << ' ' << std::dec
     << std::fixed << std::setprecision(2) << 3.14159 << ' ' << std::scientific << 1234.5;
  std::printf("%s\n", os.str().c_str());
  std::istringstream is("17 2.5 word");
  int i;
  double d;
  std::string w;
  is >> i >> d >> w;
  std::printf("parsed %d %.2f %s\n", i, d, w.c_str());
  std::function<int(int)> fact = [&](int k) { return k <= 1 ? 1 : k * fact(k - 1); };
  auto p = std::make_unique<std::vector<std::string>>(3, "x");
  auto shared = std::make_shared<int>(7);
  std::weak_ptr<int> weak = shared;
  std::printf("fact %d unique %zu shared %ld %d\n", fact(10), p->size(), shared.use_count(),
              *weak.lock());
}

static void heap() {
  std::vector<void*> blocks;
  size_t total = 0;
  for (int i = 0; i < 2000; i++) {
    size_t n = (size_t)(i * 37 % 5000) + 1;
    void* b = std::malloc(n);
    std::memset(b, i & 0xff, n);
    blocks.push_back(b);
    total += n;
  }
  for (size_t i = 0; i < blocks.size(); i += 2) std::free(blocks[i]);
  void* big = std::malloc(64 << 20);
  std::memset(big, 1, 64 << 20);
  std::free(big);
  void* r = std::realloc(blocks[1], 100000);
  std::printf("heap %zu ok %d\n", total, ((unsigned char*)r)[0] == 1);
  std::free(r);
  for (size_t i = 3; i < blocks.size(); i += 2) std::free(blocks[i]);
  errno = 0;
  void* huge = std::malloc(SIZE_MAX / 2);
  std::printf("huge %s errno %d\n", huge ? "non-null" : "null", errno);
  void* aligned = std::aligned_alloc(4096, 8192);
  std::printf("aligned %d\n", ((uintptr_t)aligned & 4095) == 0);
  std::free(aligned);
}

static void exceptions() {
  try {
    std::vector<int> v;
    (void)v.at(3);
  } catch (const std::out_of_range&) {
    std::printf("caught out_of_range\n");
  }
  try {
    throw std::runtime_error("custom");
  } catch (const std::exception& e) {
    std::printf("caught %s\n", e.what());
  }
}

static void threads() {
  std::mutex mu;
  long counter = 0;
  std::atomic<int> started{0};
  std::vector<std::thread> ts;
  std::vector<int> seen(8);
  for (int t = 0; t < 8; t++) {
    ts.emplace_back([&, t] {
      started++;
      tls_counter += t;
      seen[t] = tls_counter;
      for (int i = 0; i < 10000; i++) {
        std::lock_guard<std::mutex> l(mu);
        counter++;
      }
    });
  }
  for (auto& th : ts) th.join();
  std::printf("threads %d counter %ld tls", started.load(), counter);
  for (int x : seen) std::printf(" %d", x);
  std::printf(" main tls %d\n", tls_counter);
}

static void at_exit_a() { std::printf("atexit a\n"); }
static void at_exit_b() { std::printf("atexit b\n"); }

int main(int argc, char** argv) {
  std::printf("argc %d arg1 %s\n", argc, argc > 1 ? argv[1] : "-");
  lazy();
  std::atexit(at_exit_a);
  std::atexit(at_exit_b);
  formats();
  conversions();
  containers();
  heap();
  exceptions();
  threads();
  std::cout << "iostream " << 1.5 << " " << true << std::endl;
  std::fputs("no newline at the end, flushed by exit", stdout);
  return 7;
}
