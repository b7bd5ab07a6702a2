#include "workloads/sidecar.h"

#include <memory>

#include "sim/base/config.h"
#include "sim/base/error.h"
#include "sim/base/params.h"

namespace pcmsim {

Sidecar read_sidecar_file(const std::string& path) {
  Sidecar sc;
  auto root = load_config(path);
  auto ctx = std::make_shared<ParamContext>();
  Params s(root.get(), "", ctx);
  Params spp = s.child("preprocessing");
  Preprocess& side = sc.pre;
  side.scale = spp.get<double>("scale").desc("pixel scale").def(1.0 / 255.0);
  side.mean = spp.get<double>("mean").desc("mean subtracted").def(0.0);
  side.std = spp.get<double>("std").desc("std divided by").range(1e-12, 1e12).def(1.0);
  for (const Params::Item& it :
       spp.get_list("channel_mean", "per-channel mean (overrides mean)", "", {}))
    side.channel_mean.push_back(spp.item_quantity("channel_mean", it, "", -1e12, 1e12));
  for (const Params::Item& it :
       spp.get_list("channel_std", "per-channel std (overrides std)", "", {}))
    side.channel_std.push_back(spp.item_quantity("channel_std", it, "", 1e-12, 1e12));
  sc.fp32_correct = s.get<int64_t>("fp32_test_correct").desc("FP32 correct count").def(-1);
  sc.fp32_images = s.get<int64_t>("fp32_test_images").desc("FP32 test images").min(0).def(0);
  if (sc.fp32_images == 0) sc.fp32_correct = -1;  // no reference without its image count
  // The sidecar carries other metadata too; only its preprocessing must hold no unknown key.
  if (ConfigNode* pre = root->find("preprocessing")) {
    for (const auto& e : pre->map) {
      if (!e.value->used) {
        throw Error(e.key_src.describe() + ": preprocessing." + e.key +
                    ": unknown key (known keys here: scale mean std channel_mean channel_std)");
      }
    }
  }
  return sc;
}

}  // namespace pcmsim
