// Finding peer binaries: search order, origins, the not-found message, version parsing.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "bitnet/compare/discovery.h"
#include "compare_helpers/test_util.h"

namespace bitnet::compare {
namespace {

using testing::install_fake;
using testing::TempDir;
namespace fs = std::filesystem;

fs::path make_exe(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "#!/bin/sh\nexit 0\n";
  chmod(p.c_str(), 0755);
  return p;
}

TEST(CompareDiscovery, SearchOrderAndOrigins) {
  TempDir t("disc");
  const fs::path a = make_exe(t.path() / "a/build/bin/llama-bench");
  const fs::path b = make_exe(t.path() / "b/build/bin/llama-bench");
  const fs::path c = make_exe(t.path() / "c/bin/llama-bench");
  const fs::path d = make_exe(t.path() / "d/llama-bench");

  SearchInputs in;
  in.llama_dir = (t.path() / "a").string();
  in.bitnet_cpp_dir = (t.path() / "b").string();
  in.llama_cpp_dir = (t.path() / "c").string();
  in.path_env = "/nonexistent:" + (t.path() / "d").string();
  auto r = find_peer_binary("llama-bench", in);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.found->binary, a);
  EXPECT_EQ(r.found->origin, "--llama-dir");
  EXPECT_EQ(r.found->peer, "llama.cpp");

  in.llama_dir.reset();
  r = find_peer_binary("llama-bench", in);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.found->binary, b);
  EXPECT_EQ(r.found->origin, "BITNET_CPP_DIR");
  EXPECT_EQ(r.found->peer, "bitnet.cpp");

  in.bitnet_cpp_dir.reset();
  r = find_peer_binary("llama-bench", in);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.found->binary, c);
  EXPECT_EQ(r.found->origin, "LLAMA_CPP_DIR");

  in.llama_cpp_dir.reset();
  r = find_peer_binary("llama-bench", in);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.found->binary, d);
  EXPECT_EQ(r.found->origin, "PATH");
  EXPECT_EQ(r.looked.front(), "/nonexistent/llama-bench (PATH)");
}

TEST(CompareDiscovery, NonExecutableFilesAndDirectoriesAreSkipped) {
  TempDir t("disc_nx");
  fs::create_directories(t.path() / "x/build/bin");
  std::ofstream(t.path() / "x/build/bin/llama-cli") << "not executable";
  fs::create_directories(t.path() / "x/bin/llama-cli");  // a directory of that name
  const fs::path good = make_exe(t.path() / "x/llama-cli");
  SearchInputs in;
  in.llama_dir = (t.path() / "x").string();
  auto r = find_peer_binary("llama-cli", in);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.found->binary, good);
  EXPECT_EQ(r.looked.size(), 3u);
}

TEST(CompareDiscovery, NotFoundMessageNamesEveryPlace) {
  SearchInputs in;
  in.bitnet_cpp_dir = "/no/such/bitnet";
  in.llama_cpp_dir = "/no/such/upstream";
  in.path_env = "/no/such/path1::/no/such/path2";
  auto rb = find_peer_binary("llama-bench", in);
  auto rc = find_peer_binary("llama-cli", in);
  EXPECT_FALSE(rb.found);
  EXPECT_EQ(rb.looked.size(), 2u * 3u + 2u);
  const std::string msg = not_found_message({"llama-bench", "llama-cli"}, {rb, rc});
  for (const char* p :
       {"/no/such/bitnet/bin/llama-bench", "/no/such/bitnet/llama-bench",
        "/no/such/bitnet/build/bin/llama-bench (BITNET_CPP_DIR)",
        "/no/such/upstream/build/bin/llama-cli (LLAMA_CPP_DIR)", "/no/such/path1/llama-cli (PATH)",
        "/no/such/path2/llama-bench (PATH)", "--llama-dir DIR"})
    EXPECT_NE(msg.find(p), std::string::npos) << p << "\n" << msg;
}

TEST(CompareDiscovery, ExplicitLlamaDirIsTheOnlyPlaceSearched) {
  TempDir t("disc_only");
  make_exe(t.path() / "path/llama-bench");
  SearchInputs in;
  in.llama_dir = (t.path() / "wrong").string();
  in.path_env = (t.path() / "path").string();
  auto r = find_peer_binary("llama-bench", in);
  EXPECT_FALSE(r.found) << "fell back to " << r.found->binary;
  EXPECT_EQ(r.looked.size(), 3u);
  const std::string msg = not_found_message({"llama-bench"}, {r});
  EXPECT_NE(msg.find((t.path() / "wrong/build/bin/llama-bench").string() + " (--llama-dir)"),
            std::string::npos)
      << msg;
}

TEST(CompareDiscovery, ParseVersionOutput) {
  auto v = parse_version_output(
      "version: 4748 (c392e5094)\nbuilt with cc (Debian 12.2.0-14+deb12u1) 12.2.0\n");
  ASSERT_TRUE(v.build_number);
  EXPECT_EQ(*v.build_number, 4748);
  EXPECT_EQ(v.commit.value_or(""), "c392e5094");
  // The load log's first line in older builds.
  v = parse_version_output(
      "build: 4748 (c392e5094) with cc (Debian 12.2.0-14+deb12u1) 12.2.0 for x86_64-linux-gnu\n");
  EXPECT_EQ(v.commit.value_or(""), "c392e5094");
  v = parse_version_output("version: 0 (unknown)\n");
  EXPECT_EQ(v.build_number.value_or(-1), 0);
  EXPECT_EQ(v.commit.value_or(""), "unknown");
  v = parse_version_output("usage: something else\n");
  EXPECT_FALSE(v.build_number);
}

TEST(CompareDiscovery, QueryVersionRunsTheBinary) {
  TempDir t("disc_ver");
  auto bin = install_fake(t.path(), "llama-bench", {{"version", "version: 4748 (c392e5094)"}});
  auto v = query_version(bin);
  EXPECT_EQ(v.build_number.value_or(0), 4748);
  EXPECT_EQ(v.commit.value_or(""), "c392e5094");
  EXPECT_EQ(v.raw.substr(0, v.raw.find('\n')), "version: 4748 (c392e5094)");
  auto broken = query_version("/nonexistent/llama-bench");
  EXPECT_FALSE(broken.build_number);
  EXPECT_NE(broken.raw.find("could not be started"), std::string::npos) << broken.raw;
}

}  // namespace
}  // namespace bitnet::compare
