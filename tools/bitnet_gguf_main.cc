// bitnet-gguf: inspect GGUF files. `bitnet-gguf info FILE [--json] [--max-items N]`.
// Exit codes (docs/cli.md): 0 ok, 2 usage error, 3 bad or unreadable file.
#include <iostream>
#include <string>

#include "bitnet/cli/app.h"
#include "bitnet/cli/values.h"
#include "bitnet/gguf/dump.h"
#include "bitnet/gguf/gguf.h"

int main(int argc, char** argv) {
  namespace cli = bitnet::cli;
  CLI::App app("Inspects GGUF files.", "bitnet-gguf");
  cli::configure(app);
  app.require_subcommand(1);
  app.footer("Exit status: 0 ok, 2 usage error, 3 bad or unreadable file (docs/cli.md).");
  CLI::App* info =
      app.add_subcommand("info", "version, alignment, data offset, metadata and tensor table");
  std::string path, max_items_text;
  bool json = false;
  info->add_option("FILE", path, "the GGUF file");
  info->add_flag("--json", json, "print the same as JSON");
  info->add_option("--max-items", max_items_text,
                   "show at most N items of each array (default 8, 0 = all)")
      ->type_name("N");
  return cli::run(
      app, argc, argv,
      [&] {
        if (path.empty()) throw cli::UsageError("missing FILE");
        const auto max_items =
            max_items_text.empty()
                ? size_t{8}
                : static_cast<size_t>(cli::parse_int("--max-items", max_items_text, 0, INT64_MAX));
        const auto file = bitnet::gguf::File::open(path);
        if (json)
          std::cout << bitnet::gguf::describe_json(file, max_items)
                           .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                    << "\n";
        else
          std::cout << bitnet::gguf::describe_text(file, max_items);
        return cli::kExitOk;
      },
      [](const std::exception& e) {
        return dynamic_cast<const bitnet::gguf::Error*>(&e) ? cli::kExitInput : -1;
      });
}
