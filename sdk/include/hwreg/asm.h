// Guest SDK: <hwreg/asm.h> -- hwreg::AsmHeader, the builder Fuchsia's
// generator programs use to write a C/assembly header of #define lines
// (struct offsets for .S files, say):
//
//   int main(int argc, char** argv) {
//     return hwreg::AsmHeader()
//         .Line({"#if defined(__x86_64__)"})
//         .Macro("REGS_RAX", offsetof(zx_thread_state_general_regs_t, rax))
//         .Macro("REGS_R(n)", "(REGS_RAX + ((n) * 8))")
//         .Line({"#endif"})
//         .Main(argc, argv);   // argv: OUTPUT_FILE INCLUDE_NAME
//   }
//
// Output: a "generated" comment line, an include guard made from
// INCLUDE_NAME (each character that is not a letter or digit becomes '_',
// letters upper-cased, '_' before and after), the lines in order, then the
// closing #endif.  Numbers are written in hex with 0x (0 as "0").  An
// existing file with the same text is left untouched.  As guests have no
// files, this SDK adds one thing: OUTPUT_FILE "-" writes to stdout.
// Header-only.
#ifndef HWREG_ASM_H_
#define HWREG_ASM_H_

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace hwreg {

class AsmHeader {
 public:
  // Appends the concatenation of |strings| as one line.
  AsmHeader& Line(std::initializer_list<std::string_view> strings) {
    for (std::string_view s : strings) {
      body_.append(s);
    }
    body_ += '\n';
    return *this;
  }

  // Appends "#define NAME VALUE".
  AsmHeader& Macro(std::string_view name, std::string_view value) {
    body_ += "#define ";
    body_.append(name);
    body_ += ' ';
    body_.append(value);
    body_ += '\n';
    return *this;
  }
  AsmHeader& Macro(std::string_view name, const char* value) {
    return Macro(name, std::string_view(value));
  }
  AsmHeader& Macro(std::string_view name, uint64_t value) {
    char text[24];
    snprintf(text, sizeof(text), "%#" PRIx64, value);
    return Macro(name, std::string_view(text));
  }

  // The whole header text, guarded by a macro made from |include_name|.
  std::string Output(std::string_view include_name) const {
    std::string guard = "_";
    for (char c : include_name) {
      guard += isalnum(static_cast<unsigned char>(c))
                   ? static_cast<char>(toupper(static_cast<unsigned char>(c)))
                   : '_';
    }
    guard += '_';
    std::string text = "// This file is generated.  DO NOT EDIT!\n\n";
    text += "#ifndef " + guard + "\n#define " + guard + " 1\n\n";
    text += body_;
    text += "\n#endif  // " + guard + "\n";
    return text;
  }

  // Writes the header to |filename| ("-": stdout) unless it already holds
  // exactly that text; returns 0 or an errno value.
  int Output(const char* filename, std::string_view include_name) const {
    std::string text = Output(include_name);
    if (strcmp(filename, "-") == 0) {
      fwrite(text.data(), 1, text.size(), stdout);
      return fflush(stdout) == 0 ? 0 : EIO;
    }
    if (FILE* in = fopen(filename, "r")) {
      std::string old;
      char buf[512];
      size_t n;
      while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        old.append(buf, n);
      }
      bool same = !ferror(in) && old == text;
      fclose(in);
      if (same) {
        return 0;
      }
    }
    FILE* out = fopen(filename, "w");
    if (out == nullptr) {
      return errno;
    }
    fwrite(text.data(), 1, text.size(), out);
    bool bad = ferror(out) != 0;
    if (fclose(out) != 0 || bad) {
      return errno != 0 ? errno : EIO;
    }
    return 0;
  }

  // The generator's main: argv[1] is the output file, argv[2] the include
  // name.  Returns the process exit status.
  int Main(int argc, char** argv) const {
    if (argc != 3) {
      fprintf(stderr, "usage: %s OUTPUT_FILE INCLUDE_NAME\n", argc > 0 ? argv[0] : "gen");
      return 1;
    }
    int error = Output(argv[1], argv[2]);
    if (error != 0) {
      fprintf(stderr, "%s: %s\n", argv[1], strerror(error));
      return 1;
    }
    return 0;
  }

 private:
  std::string body_;
};

}  // namespace hwreg

#endif  // HWREG_ASM_H_
