#include "bitnet/compare/crossval.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "bitnet/compare/peer_output.h"
#include "bitnet/compare/peer_probe.h"
#include "bitnet/compare/peer_runner.h"
#include "bitnet/compare/process.h"
#include "bitnet/text/json_bytes.h"

#include "bitnet/gguf/gguf.h"

namespace bitnet::compare {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<float> float_row(const json& row, int64_t n, const std::string& where) {
  if (!row.is_array() || static_cast<int64_t>(row.size()) != n)
    throw ParseError(fmt::format("{}: expected an array of {} numbers", where, n));
  std::vector<float> v;
  v.reserve(row.size());
  for (const auto& x : row) {
    if (x.is_null())
      v.push_back(NAN);  // the golden writer prints non-finite values as null
    else if (x.is_number())
      v.push_back(x.get<float>());
    else
      throw ParseError(fmt::format("{}: holds a non-number", where));
  }
  return v;
}

std::vector<int32_t> int_array(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_array())
    throw ParseError(fmt::format("{}: missing array '{}'", where, key));
  std::vector<int32_t> v;
  for (const auto& x : j[key]) {
    if (!x.is_number_integer())
      throw ParseError(fmt::format("{}: '{}' holds a non-integer", where, key));
    v.push_back(x.get<int32_t>());
  }
  return v;
}

int32_t argmax(const std::vector<float>& v) {
  int32_t best = 0;
  for (size_t i = 1; i < v.size(); ++i)
    if (v[i] > v[best]) best = static_cast<int32_t>(i);
  return best;
}

std::string ids_text(const std::vector<int32_t>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) s += fmt::format("{}{}", i ? "," : "", ids[i]);
  return s;
}

fs::path self_dir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : p.parent_path();
}

}  // namespace

LogitsDoc parse_logits_doc(const json& j, const std::string& where) {
  if (!j.is_object()) throw ParseError(where + ": not a JSON object");
  LogitsDoc d;
  d.tokens = int_array(j, "tokens", where);
  if (!j.contains("n_vocab") || !j["n_vocab"].is_number_integer() ||
      j["n_vocab"].get<int64_t>() <= 0)
    throw ParseError(where + ": missing or bad 'n_vocab'");
  d.n_vocab = j["n_vocab"].get<int64_t>();
  if (!j.contains("logits") || !j["logits"].is_array())
    throw ParseError(where + ": missing array 'logits'");
  for (size_t i = 0; i < j["logits"].size(); ++i)
    d.logits.push_back(
        float_row(j["logits"][i], d.n_vocab, fmt::format("{}: logits[{}]", where, i)));
  if (d.logits.size() != d.tokens.size())
    throw ParseError(
        fmt::format("{}: {} logits rows for {} tokens", where, d.logits.size(), d.tokens.size()));
  if (j.contains("greedy")) d.greedy = int_array(j, "greedy", where);
  if (j.contains("greedy_logits")) {
    for (size_t i = 0; i < j["greedy_logits"].size(); ++i)
      d.greedy_logits.push_back(float_row(j["greedy_logits"][i], d.n_vocab,
                                          fmt::format("{}: greedy_logits[{}]", where, i)));
  }
  return d;
}

LogitsDoc load_logits_doc(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ParseError(fmt::format("cannot open logits file '{}'", path));
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw ParseError(fmt::format("{}: not valid JSON at byte {}", path, e.byte));
  }
  return parse_logits_doc(j, path);
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  if (aa == 0 || bb == 0) return aa == bb ? 1.0 : 0.0;
  return ab / std::sqrt(aa * bb);
}

CosineReport compare_logits(const LogitsDoc& ref, const LogitsDoc& ours) {
  if (ref.tokens != ours.tokens)
    throw std::invalid_argument(fmt::format("logits compare: prompt tokens differ ([{}] vs [{}])",
                                            ids_text(ref.tokens), ids_text(ours.tokens)));
  if (ref.n_vocab != ours.n_vocab)
    throw std::invalid_argument(
        fmt::format("logits compare: n_vocab {} vs {}", ref.n_vocab, ours.n_vocab));
  std::vector<const std::vector<float>*> ra, rb;
  for (size_t i = 0; i < ref.logits.size(); ++i)
    ra.push_back(&ref.logits[i]), rb.push_back(&ours.logits[i]);
  // Greedy rows are comparable only while both sides fed the same tokens: row k-1 is the logits
  // after decoding greedy[k-1], so greedy[0..k-1] must agree.
  const size_t ng = std::min(ref.greedy_logits.size(), ours.greedy_logits.size());
  for (size_t k = 1; k <= ng; ++k) {
    if (k - 1 >= ref.greedy.size() || k - 1 >= ours.greedy.size() ||
        ref.greedy[k - 1] != ours.greedy[k - 1])
      break;
    ra.push_back(&ref.greedy_logits[k - 1]);
    rb.push_back(&ours.greedy_logits[k - 1]);
  }
  CosineReport r;
  double ab = 0, aa = 0, bb = 0;
  r.min = 2;
  for (size_t i = 0; i < ra.size(); ++i) {
    const double c = cosine(*ra[i], *rb[i]);
    r.per_row.push_back(c);
    if (c < r.min) r.min = c, r.min_row = i;
    r.argmax_agree += argmax(*ra[i]) == argmax(*rb[i]);
    for (size_t k = 0; k < ra[i]->size(); ++k) {
      ab += static_cast<double>((*ra[i])[k]) * (*rb[i])[k];
      aa += static_cast<double>((*ra[i])[k]) * (*ra[i])[k];
      bb += static_cast<double>((*rb[i])[k]) * (*rb[i])[k];
    }
    if (i + 1 == ref.logits.size()) r.prompt_all = aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
  }
  r.all = aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
  if (ra.empty()) r.min = 0;
  return r;
}

std::string Vocab::piece(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= tokens.size())
    throw std::out_of_range(
        fmt::format("token id {} outside the vocabulary (size {})", id, tokens.size()));
  const std::string& t = tokens[static_cast<size_t>(id)];
  const int32_t type = static_cast<size_t>(id) < types.size() ? types[static_cast<size_t>(id)] : 1;
  switch (type) {
    case 1: {  // normal: U+2581 (e2 96 81) is a space
      std::string out;
      for (size_t i = 0; i < t.size(); ++i) {
        if (i + 2 < t.size() + 0 && static_cast<unsigned char>(t[i]) == 0xe2 &&
            static_cast<unsigned char>(t[i + 1]) == 0x96 &&
            static_cast<unsigned char>(t[i + 2]) == 0x81) {
          out += ' ';
          i += 2;
        } else {
          out += t[i];
        }
      }
      return out;
    }
    case 2:
      return "\xe2\x96\x85";  // unknown
    case 4:
      return t;  // user-defined
    case 6: {    // byte: <0xNN>
      if (t.size() == 6 && t.starts_with("<0x") && t.back() == '>')
        return std::string(1, static_cast<char>(std::stoi(t.substr(3, 2), nullptr, 16)));
      return t;
    }
    default:
      return "";  // control, unused
  }
}

Vocab load_vocab(const std::string& path) {
  try {
    auto f = gguf::File::open(path);
    Vocab v;
    v.tokens = f.get_string_array("tokenizer.ggml.tokens");
    if (f.find("tokenizer.ggml.token_type")) v.types = f.get_i32_array("tokenizer.ggml.token_type");
    const std::string model = f.get_or<std::string>("tokenizer.ggml.model", "llama");
    if (model != "llama")
      throw CompareError(kExitInput,
                         fmt::format("{}: tokenizer.ggml.model is '{}'; crossval detokenizes "
                                     "SentencePiece ('llama') vocabularies only",
                                     path, model));
    return v;
  } catch (const gguf::Error& e) {
    throw CompareError(kExitInput,
                       fmt::format("cannot read the vocabulary of '{}': {}", path, e.what()));
  }
}

TextAgreement compare_text(const std::string& peer, const std::vector<std::string>& pieces) {
  TextAgreement a;
  a.steps = pieces.size();
  a.peer_text = peer;
  std::string cum;
  for (size_t k = 0; k < pieces.size(); ++k) {
    cum += pieces[k];
    if (peer.compare(0, cum.size(), cum) != 0) {
      if (!a.first_divergence) a.first_divergence = k;
    } else if (!a.first_divergence) {
      a.matched = k + 1;
    }
  }
  a.ours_text = cum;
  return a;
}

OursOutput parse_bitnet_run_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ParseError(fmt::format("bitnet-run --json: not valid JSON at byte {}", e.byte));
  }
  if (!j.is_object()) throw ParseError("bitnet-run --json: top level is not an object");
  OursOutput o;
  const char* id_keys[] = {"generated", "generated_ids", "generated_tokens", "output_ids"};
  bool found = false;
  for (const char* k : id_keys) {
    if (!j.contains(k)) continue;
    o.generated = int_array(j, k, "bitnet-run --json");
    found = true;
    break;
  }
  if (!found) {
    std::string keys;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!keys.empty()) keys += ", ";
      keys += it.key();
    }
    throw ParseError(
        "bitnet-run --json: no generated token ids (looked for 'generated', "
        "'generated_ids', 'generated_tokens', 'output_ids'; it has: " +
        keys + ")");
  }
  // pieces_hex holds the exact bytes; pieces may carry U+FFFD where a piece is not UTF-8.
  if (j.contains("pieces_hex") && j["pieces_hex"].is_array()) {
    for (const auto& p : j["pieces_hex"]) {
      std::optional<std::string> bytes;
      if (p.is_string()) bytes = text::from_hex(p.get<std::string>());
      if (!bytes) throw ParseError("bitnet-run --json: 'pieces_hex' holds a non-hex entry");
      o.pieces.push_back(*bytes);
    }
    if (o.pieces.size() != o.generated.size())
      throw ParseError(fmt::format("bitnet-run --json: {} pieces_hex for {} generated ids",
                                   o.pieces.size(), o.generated.size()));
    return o;
  }
  for (const char* k : {"pieces", "generated_pieces"}) {
    if (j.contains(k) && j[k].is_array()) {
      for (const auto& p : j[k])
        if (p.is_string()) o.pieces.push_back(p.get<std::string>());
      if (o.pieces.size() != o.generated.size()) o.pieces.clear();
      break;
    }
  }
  return o;
}

json CrossvalReport::to_json() const {
  json j = {
      {"prompt_ids", prompt_ids},
      {"ours_generated", ours_generated},
      {"steps", text.steps},
      {"matched_steps", text.matched},
      {"first_divergence", text.first_divergence ? json(*text.first_divergence) : json(nullptr)},
      // Generated text is bytes (byte-fallback tokens): valid JSON text plus the exact bytes.
      {"ours_text", text::utf8_with_replacement(text.ours_text)},
      {"ours_text_hex", text::to_hex(text.ours_text)},
      {"tokens_ok", tokens_ok},
      {"cosine_ok", cosine_ok},
      {"pass", pass()}};
  j["peer_text"] = text::utf8_with_replacement(text.peer_text);
  j["peer_text_hex"] = text::to_hex(text.peer_text);
  if (!peer.is_null()) j["peer"] = peer;
  if (cosine) {
    j["cosine"] = {{"all", cosine->all},         {"prompt_all", cosine->prompt_all},
                   {"min", cosine->min},         {"min_row", cosine->min_row},
                   {"per_row", cosine->per_row}, {"argmax_agree", cosine->argmax_agree}};
  }
  return j;
}

CrossvalReport run_crossval(const CrossvalOptions& opts, const SearchInputs& where,
                            const std::function<void(const std::string&)>& log) {
  if (!fs::is_regular_file(opts.model))
    throw CompareError(kExitInput,
                       fmt::format("model file '{}' does not exist or is not a file", opts.model));
  if (opts.steps < 1 || opts.min_steps > opts.steps)
    throw CompareError(kExitUsage,
                       fmt::format("need steps >= 1 and min-steps <= steps (got {} and {})",
                                   opts.steps, opts.min_steps));
  // Peer side: llama-cli, greedy, with --verbose-prompt so stderr lists the prompt's token ids.
  SearchResult cli = find_peer_binary("llama-cli", where);
  if (!cli.found) throw CompareError(kExitPeerNotFound, not_found_message({"llama-cli"}, {cli}));
  // Ask the binary what it is and which flags it takes (bitnet.cpp's fork rejects -no-cnv).
  const PeerProbe probe = probe_peer(cli.found->binary);
  if (log)
    log(fmt::format("peer: {} {} ({}), version: {}", probe.flavour, probe.binary, cli.found->origin,
                    probe.version));
  const bool no_cnv = opts.cli_no_cnv.value_or(probe.cli_needs_no_cnv());
  {
    bool any = false;  // --help listed something we know (else there is nothing to go by)
    for (const auto& [f, ok] : probe.flags) any = any || ok;
    if (any && !probe.accepts("--verbose-prompt"))
      throw CompareError(kExitPeerFailed,
                         fmt::format("{} does not list --verbose-prompt in --help; crossval needs "
                                     "it to learn the prompt's token ids",
                                     probe.binary));
  }
  std::vector<std::string> peer_argv = {cli.found->binary.string(),
                                        "-m",
                                        opts.model,
                                        "-p",
                                        opts.prompt,
                                        "-n",
                                        std::to_string(opts.steps),
                                        "-t",
                                        std::to_string(opts.threads),
                                        "--temp",
                                        "0",
                                        "--seed",
                                        "42",
                                        "--verbose-prompt"};
  if (no_cnv) peer_argv.push_back("-no-cnv");
  if (log) log("running: " + quote_argv(peer_argv));
  RunOptions ro;
  ro.argv = peer_argv;
  ro.timeout = opts.timeout;
  RunResult pr = run_process(ro);
  if (pr.status == RunStatus::kInterrupted) throw CompareError(kExitInterrupted, "interrupted");
  if (!pr.ok()) {
    std::string msg = "peer failed: " + describe_failure(pr, peer_argv);
    if (auto e = find_load_error(pr.stderr_text))
      msg += "cause: the peer could not load the model: " + *e + "\n";
    throw CompareError(kExitPeerFailed, msg);
  }
  CrossvalReport rep;
  rep.peer = probe.to_json();
  std::vector<PromptToken> prompt;
  try {
    prompt = parse_verbose_prompt(pr.stderr_text);
  } catch (const ParseError& e) {
    throw CompareError(kExitPeerFailed, std::string("peer output unusable: ") + e.what());
  }
  if (prompt.empty())
    throw CompareError(kExitPeerFailed,
                       "peer output unusable: llama-cli printed no --verbose-prompt token list");
  for (const auto& t : prompt) rep.prompt_ids.push_back(t.id);

  // Our side: bitnet-run on the same ids (not the same text: tokenization is not under test).
  fs::path run_bin;
  if (opts.bitnet_run) {
    run_bin = *opts.bitnet_run;
  } else if (fs::path p = self_dir() / "bitnet-run";
             !self_dir().empty() && access(p.c_str(), X_OK) == 0) {
    run_bin = p;
  } else {
    SearchInputs path_only;
    path_only.path_env = where.path_env;
    SearchResult r = find_peer_binary("bitnet-run", path_only);
    if (!r.found)
      throw CompareError(kExitInput, "bitnet-run not found next to bitnet-compare (" +
                                         self_dir().string() +
                                         ") nor on PATH; pass --bitnet-run PATH");
    run_bin = r.found->binary;
  }
  std::vector<std::string> ours_argv = {run_bin.string(),
                                        "-m",
                                        opts.model,
                                        "--ids",
                                        ids_text(rep.prompt_ids),
                                        "-n",
                                        std::to_string(opts.steps),
                                        "-t",
                                        std::to_string(opts.threads),
                                        "--json"};
  if (log) log("running: " + quote_argv(ours_argv));
  ro.argv = ours_argv;
  RunResult orr = run_process(ro);
  if (orr.status == RunStatus::kInterrupted) throw CompareError(kExitInterrupted, "interrupted");
  if (!orr.ok())
    throw CompareError(kExitPeerFailed, "bitnet-run failed: " + describe_failure(orr, ours_argv));
  OursOutput ours;
  try {
    ours = parse_bitnet_run_json(orr.stdout_text);
  } catch (const ParseError& e) {
    throw CompareError(kExitPeerFailed, e.what());
  }
  rep.ours_generated = ours.generated;

  // Text alignment: llama-cli echoes the prompt (pieces, control tokens print nothing) and then
  // the generated pieces. Pieces come from bitnet-run if it printed them, else from the vocab.
  std::vector<std::string> pieces = ours.pieces;
  std::string prompt_echo;
  try {
    const Vocab vocab = load_vocab(opts.model);
    if (pieces.empty())
      for (int32_t id : ours.generated) pieces.push_back(vocab.piece(id));
    for (int32_t id : rep.prompt_ids) prompt_echo += vocab.piece(id);
  } catch (const std::out_of_range& e) {
    throw CompareError(kExitPeerFailed, std::string("token ids do not fit the model: ") + e.what());
  }
  if (pr.stdout_text.compare(0, prompt_echo.size(), prompt_echo) != 0)
    throw CompareError(
        kExitPeerFailed,
        fmt::format("peer stdout does not start with the prompt echo '{}' (it starts '{}'); "
                    "cannot align the generated text",
                    prompt_echo, pr.stdout_text.substr(0, prompt_echo.size() + 20)));
  rep.text = compare_text(pr.stdout_text.substr(prompt_echo.size()), pieces);
  rep.tokens_ok = rep.text.matched >= static_cast<size_t>(opts.min_steps);

  if (opts.peer_logits && opts.ours_logits) {
    try {
      rep.cosine =
          compare_logits(load_logits_doc(*opts.peer_logits), load_logits_doc(*opts.ours_logits));
    } catch (const std::exception& e) {
      throw CompareError(kExitInput, std::string("logits: ") + e.what());
    }
    rep.cosine_ok = rep.cosine->min >= opts.min_cosine;
  }

  std::string& s = rep.summary;
  s += fmt::format("prompt ids (from the peer): [{}]\n", ids_text(rep.prompt_ids));
  s += fmt::format("ours generated: [{}]\n", ids_text(rep.ours_generated));
  s += fmt::format("greedy text: {} of {} steps identical{} (threshold {})\n", rep.text.matched,
                   rep.text.steps,
                   rep.text.first_divergence
                       ? fmt::format(", first divergence at step {}", *rep.text.first_divergence)
                       : std::string(),
                   opts.min_steps);
  s += fmt::format("  peer: {:?}\n  ours: {:?}\n", rep.text.peer_text, rep.text.ours_text);
  if (rep.cosine)
    s += fmt::format(
        "logits cosine: all {:.8f}, min {:.8f} at row {} (threshold {}), argmax agree {}/{}\n",
        rep.cosine->all, rep.cosine->min, rep.cosine->min_row, opts.min_cosine,
        rep.cosine->argmax_agree, rep.cosine->per_row.size());
  else
    s += "logits cosine: not computed (llama-cli cannot dump logits; pass --peer-logits and "
         "--ours-logits)\n";
  s += rep.pass() ? "PASS\n" : "FAIL\n";
  return rep;
}

}  // namespace bitnet::compare
