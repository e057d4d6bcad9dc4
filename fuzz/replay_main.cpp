// The replay driver: runs LLVMFuzzerTestOneInput on every file named on the command line and on
// every regular file inside the directories named (sorted, not recursive), as libFuzzer does
// when given files. A violated invariant aborts inside the target, failing the run; this turns
// the corpora and kept crashes into regression tests in builds without libFuzzer.
//
//   fuzz_<target>_replay [--if-exists] PATH...
//
// A PATH after --if-exists may be missing (the crashes folder of a target that never crashed).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  // A copy the size of the input exactly, so ASan catches a read past its end.
  std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), input.size());
  (void)LLVMFuzzerTestOneInput(input.empty() ? nullptr : input.data(), input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  bool optional = false;
  std::size_t runs = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--if-exists") {
      optional = true;
      continue;
    }
    const fs::path path(arg);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      if (optional) continue;
      std::fprintf(stderr, "replay: %s does not exist\n", argv[i]);
      ok = false;
      continue;
    }
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const fs::directory_entry& e : fs::directory_iterator(path)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) {
        ok = run_file(f) && ok;
        ++runs;
      }
    } else {
      ok = run_file(path) && ok;
      ++runs;
    }
  }
  std::fprintf(stderr, "replay: %zu inputs\n", runs);
  if (runs == 0) {
    std::fprintf(stderr, "replay: no input found\n");
    return 1;
  }
  return ok ? 0 : 1;
}
