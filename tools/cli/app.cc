#include "bitnet/cli/app.h"

#include <cctype>
#include <iostream>
#include <regex>

namespace bitnet::cli {

namespace {

// "bitnet-compare kld" for a subcommand, for messages and the --help pointer.
std::string full_name(const CLI::App& app) {
  std::string name = app.get_name();
  for (const CLI::App* p = app.get_parent(); p; p = p->get_parent())
    name = p->get_name() + " " + name;
  return name;
}

const CLI::App& innermost(const CLI::App& app) {
  const CLI::App* a = &app;
  while (const CLI::App* sub = chosen_subcommand(*a)) a = sub;
  return *a;
}

// CLI11 says "--output: 1 required TYPE missing"; we say "--output needs a type".
std::string in_our_words(const CLI::ParseError& e) {
  static const std::regex missing_value(R"(^(\S+): \d+ required (\S+) missing$)");
  const std::string msg = e.what();
  std::smatch m;
  if (!std::regex_match(msg, m, missing_value)) return msg;
  std::string type = m[2];
  if (type == "TEXT" || type == "INT" || type == "UINT" || type == "FLOAT") type = "value";
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::string(m[1]) + " needs a " + type;
}

int usage_error(const CLI::App& app, const std::string& msg) {
  const std::string tool = app.get_name();
  std::cerr << tool << ": " << msg << "\nrun '" << full_name(innermost(app))
            << " --help' for usage\n";
  return kExitUsage;
}

// Positionals are named by what they are (FILE, SPEC); CLI11's "TEXT" after the name says less.
void untype_positionals(CLI::App& app) {
  for (CLI::Option* o : app.get_options())
    if (o->get_positional()) o->type_name("");
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    untype_positionals(*sub);
}

}  // namespace

void configure(CLI::App& app) {
  app.set_help_flag("-h,--help", "print this help and exit");
  app.set_version_flag("--version", version_text(app.get_name()),
                       "print the version and git commit and exit");
  auto fmt = std::make_shared<CLI::Formatter>();
  fmt->label("Usage", "usage");
  fmt->column_width(30);
  app.formatter(fmt);
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // Unknown words are collected and reported by run() as "unknown option '--x'" (CLI11's own
  // "The following arguments were not expected" says less).
  app.allow_extras();
}

const CLI::App* chosen_subcommand(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) return sub;
  return nullptr;
}

int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body,
        const Classifier& classify) {
  const std::string tool = app.get_name();
  untype_positionals(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(app, in_our_words(e));
  }
  for (const std::string& extra : app.remaining(true)) {
    if (extra.size() > 1 && extra[0] == '-')
      return usage_error(app, "unknown option '" + extra + "'");
    return usage_error(app, "unexpected argument '" + extra + "'");
  }
  try {
    return body();
  } catch (const UsageError& e) {
    return usage_error(app, e.what());
  } catch (const InputError& e) {
    std::cerr << tool << ": error: " << e.what() << "\n";
    return kExitInput;
  } catch (const ExitError& e) {
    std::cerr << tool << ": error: " << e.what() << "\n";
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << tool << ": error: " << e.what() << "\n";
    const int code = classify ? classify(e) : -1;
    return code >= 0 ? code : kExitFailed;
  }
}

}  // namespace bitnet::cli
